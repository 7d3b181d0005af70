import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '@liveport/server';
import { startTestNode, type TestNode } from '../support/node.ts';
import { launchChromium } from '../support/browser.ts';
// for their declarations of window.Liveport and window.liveportPhone
import type {} from '../../packages/web/src/widget/main.ts';
import type {} from '../../packages/web/src/desk/phone.ts';

/**
 * The video consultation as people do it: a customer on a product page presses "Video
 * consult", a clerk's phone page rings and the clerk accepts, and each browser decodes the
 * other's camera (Chromium's fake device). Both agree to recording, the clerk hangs up, and the
 * recording is on disk.
 */

const PASSWORD = 'liveport-demo';
const PRODUCT = 'oslo-3-seat-sofa';

async function until(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  for (const deadline = Date.now() + ms; !(await check()); await new Promise((r) => setTimeout(r, 200))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

const customerFrames = (page: Page) =>
  page.evaluate(async () => (await window.Liveport?.chat?.consultStats())?.videoFramesDecoded ?? 0);
const clerkFrames = (page: Page) =>
  page.evaluate(async () => (await window.liveportPhone?.call.stats())?.videoFramesDecoded ?? 0);

describe('video consultation between the widget and a clerk’s phone', () => {
  let node: TestNode;
  let browser: Browser;
  before(async () => {
    const { desk } = loadConfig({ env: {}, cwd: '/nonexistent' });
    node = await startTestNode({ desk: { ...desk, demoPassword: PASSWORD } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await node?.stop();
  });

  it('rings the clerk, both decode each other’s video, and the consented call is recorded', async () => {
    const clerkContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const clerk = await clerkContext.newPage();
    clerk.on('pageerror', (err) => console.error('phone page error', err));
    await clerk.goto(`${node.url}/desk/phone`);
    await clerk.fill('[data-testid=login-email]', 'ana@desk.example');
    await clerk.fill('[data-testid=login-password]', PASSWORD);
    await clerk.click('[data-testid=login-submit]');
    await clerk.locator('[data-testid=phone-idle]').waitFor();

    const customerContext = await browser.newContext({ locale: 'en-US' });
    const customer = await customerContext.newPage();
    customer.on('pageerror', (err) => console.error('shop page error', err));
    await customer.goto(`${node.url}/shop/product?handle=${PRODUCT}`);
    await customer.click('[data-testid=lp-launcher]');
    await customer.locator('[data-testid=lp-brain]').waitFor();
    await customer.click('[data-testid=lp-video-consult]');
    await customer.locator('[data-testid=lp-consult][data-phase=ringing]').waitFor();

    const ring = clerk.locator('[data-testid=phone-ring]');
    await ring.waitFor();
    assert.match((await ring.textContent()) ?? '', new RegExp(PRODUCT));
    await clerk.click('[data-testid=phone-accept]');

    await customer.locator('[data-testid=lp-consult][data-phase=connected]').waitFor();
    await until(async () => (await customerFrames(customer)) > 0, 'the customer decoding the clerk’s video');
    await until(async () => (await clerkFrames(clerk)) > 0, 'the clerk decoding the customer’s video');
    await until(
      async () =>
        /kbit\/s/.test((await customer.locator('[data-testid=lp-consult-quality]').textContent()) ?? ''),
      'the call quality shown to the customer',
    );

    await customer.check('[data-testid=lp-consult-consent]');
    await clerk.check('[data-testid=clerk-record-consent]');
    await customer.locator('[data-testid=lp-consult-recording]').waitFor();
    await clerk.locator('[data-testid=clerk-recording][data-state=recording]').waitFor();
    await new Promise((r) => setTimeout(r, 3000));

    await clerk.click('[data-testid=clerk-hang-up]');
    await customer.locator('[data-testid=lp-consult][data-phase=ended]').waitFor();
    await clerk.locator('[data-testid=clerk-recording][data-state=saved]').waitFor();
    const dir = join(node.node.config.dataDir, 'recordings');
    const files = existsSync(dir) ? readdirSync(dir) : [];
    assert.equal(files.length, 1);
    assert.ok(statSync(join(dir, files[0]!)).size > 10_000, 'the recording holds the media');

    await customerContext.close();
    await clerkContext.close();
  });
});
