import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { DEMO_FACTS } from '@liveport/commerce';
import { startTestNode, type TestNode } from '../support/node.ts';
import { launchChromium } from '../support/browser.ts';
import { say, startOpenAiServer, type ChatRequestBody, type OpenAiServer } from '../support/openaiServer.ts';
import { planScript } from '../support/scriptedAgent.ts';

const ORDER = DEMO_FACTS.shippedOrder;
const AGENT = { email: 'emma@desk.example', name: 'Emma Clarke' };
/** config desk.demoPassword's default: the demo staff are seeded with it */
const DEMO_PASSWORD = 'liveport-demo';
const SUMMARY = `Ana (verified) asks where ${ORDER.number} is and wants a person.`;

const plan = planScript([
  [
    { tool: 'verify_customer', args: { orderNumber: ORDER.number, email: ORDER.email } },
    { tool: 'track_shipment', args: { orderNumber: ORDER.number } },
    { say: `Your order ${ORDER.number} is with DHL Express and has cleared customs in Madrid.` },
  ],
  [
    {
      tool: 'handoff_to_human',
      args: { reason: 'asks for a person', skill: 'after_sales', summary: SUMMARY },
    },
  ],
]);

/**
 * The model behind the agent plays the plan. A request without tools is the desk's own use of
 * the model (a translation): it gets the text back, as a model would between two people who
 * already share a language.
 */
function model(body: ChatRequestBody) {
  if (body.tools?.length) return plan(body);
  const last = body.messages?.at(-1)?.content;
  return [say(typeof last === 'string' ? last : '')];
}

async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().textContent()) ?? '';
}

/**
 * A customer on the storefront and an agent at the console, in two contexts of one headless
 * Chromium, against a real node with the OpenAI-protocol stand-in as the agent's model.
 */
describe('the agent console at /desk', () => {
  let llm: OpenAiServer;
  let node: TestNode;
  let browser: Browser;
  before(async () => {
    llm = await startOpenAiServer({ tokensPerSecond: 200, script: model });
    node = await startTestNode({ llm: { baseUrl: llm.baseUrl, model: 'stand-in', detectOllama: false } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await node?.stop();
    await llm?.close();
  });

  it('takes a handoff with the AI’s summary and the order beside it, replies to the customer, and closes with a survey', async () => {
    const agentContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const desk = await agentContext.newPage();
    desk.on('pageerror', (err) => console.error('desk page error', err));
    await desk.goto(`${node.url}/desk`);
    await desk.fill('[data-testid=login-email]', AGENT.email);
    await desk.fill('[data-testid=login-password]', DEMO_PASSWORD);
    await desk.click('[data-testid=login-submit]');
    await desk.locator('[data-testid=staff-name]', { hasText: AGENT.name }).waitFor();
    assert.equal(await desk.locator('[data-testid=status-select]').inputValue(), 'online');

    const customerContext = await browser.newContext({
      locale: 'en-GB',
      viewport: { width: 390, height: 844 },
    });
    const shop = await customerContext.newPage();
    shop.on('pageerror', (err) => console.error('shop page error', err));
    await shop.goto(`${node.url}/shop/product?handle=oslo-3-seat-sofa`);
    await shop.click('[data-testid=lp-launcher]');
    const assistant = shop.locator('[data-testid=lp-message][data-role=assistant]');
    await assistant.first().waitFor();
    const ask = async (text: string) => {
      const before = await assistant.count();
      await shop.fill('[data-testid=lp-input]', text);
      await shop.click('[data-testid=lp-send]');
      await assistant.nth(before).waitFor();
    };
    await ask(`Where is my order ${ORDER.number}? My e-mail is ${ORDER.email}`);
    await shop.locator('[data-testid=lp-message][data-role=assistant]', { hasText: 'DHL' }).waitFor();
    await ask('I would like to talk to a person, please');
    await shop.locator('[data-testid=lp-handoff-status]').waitFor();

    // The handoff rings at the console; accepting opens it with what the AI already knows.
    const accept = desk.locator('[data-testid=offer-accept]');
    await accept.waitFor({ timeout: 10_000 });
    assert.match(await textOf(desk, '[data-testid=offer]'), /after_sales:en/);
    await accept.click();
    const summary = desk.locator('[data-testid=conversation-summary]');
    await summary.waitFor();
    assert.match((await summary.textContent()) ?? '', new RegExp(ORDER.number));
    const order = desk.locator(`[data-testid=order-row][data-order=${ORDER.number}]`);
    await order.waitFor();
    assert.match((await order.textContent()) ?? '', /DHL|shipped/i);
    // the whole conversation so far is there, the customer's words and the AI's
    await desk.locator('[data-testid=message][data-role=customer]', { hasText: ORDER.email }).waitFor();
    await desk.locator('[data-testid=message][data-role=assistant]', { hasText: 'DHL' }).waitFor();

    const reply = `Hello, this is ${AGENT.name.split(' ')[0]}: ${ORDER.number} arrives today before 18:00.`;
    await desk.fill('[data-testid=reply-input]', reply);
    await desk.click('[data-testid=reply-send]');
    const sent = desk.locator('[data-testid=message][data-role=agent]', { hasText: reply });
    await sent.waitFor();
    for (let i = 0; i < 50 && (await sent.getAttribute('data-status')) !== 'done'; i++)
      await desk.waitForTimeout(100);
    assert.equal(await sent.getAttribute('data-status'), 'done', 'the node acknowledged the reply');
    assert.equal(await desk.locator('[data-testid=message][data-role=agent]').count(), 1, 'shown once');

    // The customer sees the person's reply in the widget.
    await shop.locator('[data-testid=lp-message][data-role=agent]', { hasText: reply }).waitFor();

    await desk.click('[data-testid=close-conversation]');
    await shop.locator('[data-testid=lp-card][data-kind=survey]').waitFor({ timeout: 10_000 });
    await desk.locator('[data-testid=conversation][data-holder=closed]').waitFor();

    await desk.screenshot({ path: '/tmp/desk-console.png' });
    await customerContext.close();
    await agentContext.close();
  });
});
