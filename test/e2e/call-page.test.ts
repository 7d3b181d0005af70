import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestNode, type TestNode } from '../support/node.ts';
import { launchChromium } from '../support/browser.ts';

interface PageStats {
  videoFramesDecoded: number;
  audioPacketsReceived: number;
  videoCodec?: string;
}

async function joinCall(browser: Browser, url: string, name: string, query = '&room=e2e'): Promise<Page> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[${name}] page error`, err));
  await page.goto(`${url}/call?name=${name}${query}`);
  await page.click('#joinButton');
  await page.waitForFunction(() => document.body.dataset.state === 'joined', null, { timeout: 15000 });
  return page;
}

const stats = (page: Page) =>
  page.evaluate(async () => {
    const room = (window as unknown as { liveportRoom: { getStats(): Promise<PageStats> } }).liveportRoom;
    return room.getStats();
  });

async function waitForMedia(page: Page, name: string): Promise<PageStats> {
  const deadline = Date.now() + 20000;
  let last: PageStats = { videoFramesDecoded: 0, audioPacketsReceived: 0 };
  while (Date.now() < deadline) {
    last = await stats(page);
    if (last.videoFramesDecoded > 30 && last.audioPacketsReceived > 0) return last;
    await page.waitForTimeout(250);
  }
  throw new Error(`${name} did not receive media: ${JSON.stringify(last)}`);
}

describe('call page in two real browsers', () => {
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

  it('lets two people see and hear each other, and shows when one leaves', async () => {
    const alice = await joinCall(browser, node.url, 'Alice');
    const bob = await joinCall(browser, node.url, 'Bob');

    const [a, b] = await Promise.all([waitForMedia(alice, 'Alice'), waitForMedia(bob, 'Bob')]);
    assert.ok(a.videoFramesDecoded > 30, `Alice decoded ${a.videoFramesDecoded} frames`);
    assert.ok(b.videoFramesDecoded > 30, `Bob decoded ${b.videoFramesDecoded} frames`);
    assert.ok(a.audioPacketsReceived > 0 && b.audioPacketsReceived > 0);
    // each page shows the other's tile with a playing video
    await alice.waitForSelector('.tile[data-identity^="Bob"] video');
    const playing = await alice.$eval(
      '.tile[data-identity^="Bob"] video',
      (v) => (v as HTMLVideoElement).videoWidth > 0,
    );
    assert.ok(playing, "Bob's video plays on Alice's page");

    await bob.click('#leaveButton');
    await alice.waitForFunction(
      () => document.getElementById('events')!.textContent!.includes('Bob left the call'),
      null,
      {
        timeout: 10000,
      },
    );
    assert.equal(await alice.$('.tile[data-identity^="Bob"]'), null, "Bob's tile is gone");
    await alice.context().close();
    await bob.context().close();
  });

  it('forwards H.264 when the publishers prefer it', async () => {
    const alice = await joinCall(browser, node.url, 'Hanna', '&room=h264&codec=h264');
    const bob = await joinCall(browser, node.url, 'Hugo', '&room=h264&codec=h264');
    const [a, b] = await Promise.all([waitForMedia(alice, 'Hanna'), waitForMedia(bob, 'Hugo')]);
    assert.equal(a.videoCodec, 'video/H264');
    assert.equal(b.videoCodec, 'video/H264');
    await alice.context().close();
    await bob.context().close();
  });

  it('keeps the picture flowing across a camera flip and shows a mute to the other side', async () => {
    const alice = await joinCall(browser, node.url, 'Fiona', '&room=flip');
    const bob = await joinCall(browser, node.url, 'Felix', '&room=flip');
    await waitForMedia(bob, 'Felix');
    await alice.click('#flipButton');
    const before = (await stats(bob)).videoFramesDecoded;
    let after = before;
    for (let i = 0; i < 20 && after - before <= 15; i++) {
      await bob.waitForTimeout(250);
      after = (await stats(bob)).videoFramesDecoded;
    }
    assert.ok(after - before > 15, `frames kept coming after the flip (${before} -> ${after})`);
    const muted = bob.evaluate(
      () =>
        new Promise<boolean>((resolve) =>
          (
            window as unknown as {
              liveportRoom: { on(e: string, f: (t: unknown, m: boolean) => void): void };
            }
          ).liveportRoom.on('trackMuted', (_t, m) => resolve(m)),
        ),
    );
    await alice.click('#micButton');
    assert.equal(await muted, true);
    await alice.waitForFunction(() => document.getElementById('micButton')!.textContent === 'Mic off', null, {
      timeout: 2000,
    });
    await alice.context().close();
    await bob.context().close();
  });
});
