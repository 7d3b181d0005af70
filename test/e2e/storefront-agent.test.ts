import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startTestNode, type TestNode } from '../support/node.ts';
import { launchChromium } from '../support/browser.ts';
import { startOpenAiServer, type OpenAiServer } from '../support/openaiServer.ts';
import { planScript } from '../support/scriptedAgent.ts';

const card = (kind: string) => `[data-testid=lp-card][data-kind=${kind}]`;
const NEW_ADDRESS = {
  name: 'Ana García',
  line1: 'Calle de Alcalá 120',
  city: 'Madrid',
  postalCode: '28009',
  country: 'ES',
};

/**
 * A Spanish-speaking customer on the product page, with a model behind the agent (the
 * OpenAI-protocol stand-in playing a plan, through the node's real client): the sofa's size,
 * tracking, an address change confirmed with the card's button, and a person at the end.
 */
describe('the chat widget on the demo storefront, with a model', () => {
  let llm: OpenAiServer;
  let node: TestNode;
  let browser: Browser;
  before(async () => {
    llm = await startOpenAiServer({
      tokensPerSecond: 60,
      script: planScript([
        [
          { tool: 'get_product', args: { product: 'oslo-3-seat-sofa' } },
          { say: 'El sofá Oslo mide 214 cm de ancho, 92 cm de fondo y 84 cm de alto.' },
        ],
        [
          { tool: 'verify_customer', args: { orderNumber: 'LP-1002', email: 'ana@example.es' } },
          { tool: 'track_shipment', args: { orderNumber: 'LP-1002' } },
          { say: 'Tu pedido LP-1002 viaja con DHL Express y ya pasó la aduana de Madrid.' },
        ],
        [
          { tool: 'change_shipping_address', args: { orderNumber: 'LP-1001', address: NEW_ADDRESS } },
          { say: '¿Confirmas la nueva dirección de LP-1001? Pulsa «Sí, confirmo».' },
        ],
        [{ say: 'Hecho: LP-1001 irá a Calle de Alcalá 120, Madrid.' }],
        [
          {
            tool: 'handoff_to_human',
            args: {
              reason: 'quiere hablar con una persona',
              skill: 'after_sales',
              summary: 'Ana (verificada) cambió la dirección de LP-1001 y pide una persona.',
            },
          },
        ],
      ]),
    });
    node = await startTestNode({ llm: { baseUrl: llm.baseUrl, model: 'stand-in', detectOllama: false } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await node?.stop();
    await llm?.close();
  });

  it('answers in Spanish, tracks an order, changes an address on the customer’s yes and hands over to a person', async () => {
    const context = await browser.newContext({ locale: 'es-ES', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error('page error', err));
    await page.goto(`${node.url}/shop/product?handle=oslo-3-seat-sofa`);
    await page.click('[data-testid=lp-launcher]');
    const brain = page.locator('[data-testid=lp-brain]');
    await brain.waitFor();
    assert.equal(await brain.getAttribute('data-limited'), 'false');
    // the AI disclosure comes first, as a message of its own
    const disclosure = page.locator('[data-testid=lp-message][data-role=assistant]').first();
    await disclosure.waitFor();
    assert.match((await disclosure.textContent()) ?? '', /asistente de IA/);

    const ask = async (text: string, expect: RegExp) => {
      const before = await page.locator('[data-testid=lp-message][data-role=assistant]').count();
      await page.fill('[data-testid=lp-input]', text);
      await page.click('[data-testid=lp-send]');
      const reply = page.locator('[data-testid=lp-message][data-role=assistant]').nth(before);
      await reply.waitFor();
      // the reply streams in: wait until its text says what it must
      for (let i = 0; i < 100 && !expect.test((await reply.textContent()) ?? ''); i++)
        await page.waitForTimeout(100);
      assert.match((await reply.textContent()) ?? '', expect);
    };

    await ask('¿Qué medidas tiene este sofá?', /214 cm/);
    assert.match(
      (await page.locator(card('product')).first().textContent()) ?? '',
      /Sofá de tres plazas Oslo/,
    );
    // the model was told which product the customer is looking at
    const first = llm.chatRequests()[0]!.body!.messages![0]!.content as string;
    assert.match(first, /oslo-3-seat-sofa/);

    await ask('¿Dónde está mi pedido LP-1002? Mi email es ana@example.es', /DHL/);
    await page.locator(card('order')).first().waitFor();

    await ask(
      'Cambia la dirección de envío del pedido LP-1001 a Calle de Alcalá 120, 28009 Madrid',
      /Confirmas/,
    );
    const store = node.node.parts!.store;
    assert.notEqual(
      (await store.getOrderByNumber('LP-1001'))!.shippingAddress.line1,
      NEW_ADDRESS.line1,
      'not before the yes',
    );
    await page
      .locator(`${card('confirm')} [data-action=confirm]`)
      .last()
      .click();
    for (let i = 0; i < 50; i++) {
      if ((await store.getOrderByNumber('LP-1001'))!.shippingAddress.line1 === NEW_ADDRESS.line1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal((await store.getOrderByNumber('LP-1001'))!.shippingAddress.line1, NEW_ADDRESS.line1);
    // the change is made on the click; the model's report of it follows: wait for it before asking on
    await page
      .locator('[data-testid=lp-message][data-role=assistant]', { hasText: 'Hecho' })
      .waitFor({ timeout: 10_000 });

    await ask('Quiero hablar con una persona', /cola|persona/);
    const status = page.locator('[data-testid=lp-handoff-status]');
    await status.waitFor();
    assert.equal(await status.getAttribute('data-status'), 'waiting');
    const handoffs = node.node.parts!.agent.handoffs.waiting();
    assert.equal(handoffs.length, 1);
    assert.equal(handoffs[0]!.queue, 'after_sales:es');
    await page.screenshot({ path: '/tmp/storefront-agent.png' });
    await context.close();
  });
});
