import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestNode, type TestNode } from '../support/node.ts';
import { launchChromium } from '../support/browser.ts';

/** A delivered order of the demo shop, five days ago: inside the return window. */
const ORDER = { number: 'LP-1003', email: 'john.miller@example.com' };

const card = (kind: string) => `[data-testid=lp-card][data-kind=${kind}]`;

describe('the chat widget on the demo storefront, in fallback mode', () => {
  let node: TestNode;
  let browser: Browser;
  before(async () => {
    node = await startTestNode();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await node?.stop();
  });

  it('looks up an order through guided steps and starts a return the customer confirms', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page: Page = await context.newPage();
    page.on('pageerror', (err) => console.error('page error', err));
    await page.goto(`${node.url}/shop`);
    await page.waitForSelector('[data-testid=shop-product-card]');

    // Playwright's CSS selectors reach into the widget's open shadow root.
    await page.click('[data-testid=lp-launcher]');
    const badge = page.locator('[data-testid=lp-brain]');
    await badge.waitFor();
    assert.equal(await badge.getAttribute('data-limited'), 'true');
    assert.match((await badge.textContent()) ?? '', /limited mode/i);
    assert.ok(((await page.locator('[data-testid=lp-disclosure]').textContent()) ?? '').length > 10);

    await page.click(`${card('choices')} [data-action=flow][data-value-flow=track]`);
    await page
      .locator(`${card('form')} [data-testid=lp-field-orderNumber]`)
      .last()
      .fill(ORDER.number);
    await page
      .locator(`${card('form')} [data-testid=lp-field-email]`)
      .last()
      .fill(ORDER.email);
    await page
      .locator(`${card('form')} [data-testid=lp-card-submit]`)
      .last()
      .click();
    const status = page.locator(`${card('order')} [data-testid=lp-card-status]`).first();
    await status.waitFor({ timeout: 10000 });
    assert.equal(await status.textContent(), 'delivered');

    const formsBefore = await page.locator(card('form')).count();
    await page
      .locator(`${card('choices')} [data-action=flow][data-value-flow=return]`)
      .last()
      .click();
    // Verified once, the customer picks among their own orders (in a new form: wait for it,
    // or `.last()` could still be the tracking form).
    const orderField = page
      .locator(card('form'))
      .nth(formsBefore)
      .locator('[data-testid=lp-field-orderNumber]');
    await orderField.waitFor();
    if ((await orderField.evaluate((el) => el.tagName)) === 'SELECT')
      await orderField.selectOption(ORDER.number);
    else await orderField.fill(ORDER.number);
    await page
      .locator(`${card('form')} [data-testid=lp-card-submit]`)
      .last()
      .click();
    await page
      .locator(`${card('form')} [data-testid=lp-field-reason]`)
      .last()
      .fill('Too big for the room');
    await page
      .locator(`${card('form')} [data-testid=lp-field-condition]`)
      .last()
      .selectOption('unused');
    await page
      .locator(`${card('form')} [data-testid=lp-card-submit]`)
      .last()
      .click();

    await page
      .locator(`${card('confirm')} [data-action=confirm]`)
      .last()
      .click();
    const returned = page.locator(`${card('return')}`).last();
    await returned.waitFor({ timeout: 10000 });

    const store = node.node.parts!.store;
    const order = await store.getOrderByNumber(ORDER.number);
    const returns = await store.listReturns(order!.id);
    assert.equal(returns.length, 1, 'the return exists in the store');
    assert.equal(returns[0]!.reason, 'Too big for the room');
    await context.close();
  });
});
