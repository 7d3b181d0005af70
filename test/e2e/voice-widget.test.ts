import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestNode, type TestNode } from '../support/node.ts';
import { launchChromium } from '../support/browser.ts';
import { say, startOpenAiServer, type OpenAiServer } from '../support/openaiServer.ts';
import type { InboundAudio } from '../../packages/web/src/widget/VoiceCall.ts';
// for its declaration of window.Liveport
import type {} from '../../packages/web/src/widget/main.ts';

/**
 * The customer's question as Chromium's fake microphone plays it: espeak-ng's voice at 48 kHz
 * mono, a second of silence first (the call is still connecting) and three after, so the agent
 * hears the end of the turn before Chromium loops the file.
 */
function question(dir: string, text: string): string {
  const raw = join(dir, 'raw.wav');
  const wav = join(dir, 'question.wav');
  execFileSync('espeak-ng', ['-v', 'en-us', '-w', raw, text]);
  execFileSync('sox', [raw, '-r', '48000', '-c', '1', '-b', '16', wav, 'pad', '1', '3']);
  return wav;
}

const message = (role: string) => `[data-testid=lp-message][data-role=${role}]`;

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  for (const deadline = Date.now() + ms; !check(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

async function inboundAudio(page: Page): Promise<InboundAudio | undefined> {
  return page.evaluate(() => window.Liveport?.chat?.voiceStats());
}

describe('talking to the agent through the widget’s Talk button', () => {
  let dir: string;
  let llm: OpenAiServer;
  let node: TestNode;
  let browser: Browser;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liveport-voice-widget-'));
    const wav = question(dir, 'where is my order');
    llm = await startOpenAiServer({ script: () => [say('Your order LP-1002 is with DHL Express.')] });
    node = await startTestNode({ llm: { baseUrl: llm.baseUrl, model: 'stand-in', detectOllama: false } });
    browser = await launchChromium([`--use-file-for-fake-audio-capture=${wav}`]);
  });
  /** The storefront at phone width with the chat panel open (it stays open across a reload). */
  const openWidget = async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error('page error', err));
    await page.goto(`${node.url}/shop`);
    await page.click('[data-testid=lp-launcher]');
    await page.locator('[data-testid=lp-brain]').waitFor();
    return { context, page };
  };
  after(async () => {
    await browser?.close();
    await node?.stop();
    await llm?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('hears the customer’s spoken question, shows both sides as captions and plays the answer', async () => {
    const { context, page } = await openWidget();

    const talk = page.locator('[data-testid=lp-talk]');
    assert.equal(await talk.getAttribute('aria-label'), 'Talk');
    await talk.click();
    // Either the call goes live or the node says why it cannot: the second is a failure here.
    const live = page.locator('[data-testid=lp-talk][data-voice=live]');
    const notice = page.locator('[data-testid=lp-voice-notice]');
    await Promise.race([live.waitFor({ timeout: 15000 }), notice.waitFor({ timeout: 15000 })]);
    assert.ok(await live.isVisible(), `voice did not start: ${await notice.textContent()}`);
    assert.equal(await talk.getAttribute('aria-label'), 'Hang up');
    assert.match((await talk.getAttribute('data-light')) ?? '', /^(listening|hearing|thinking|speaking)$/);
    await page.locator('[data-testid=lp-voice][data-light]').waitFor();

    // The recognizer's words, whatever they are, come back as the customer's message.
    const caption = page.locator(message('customer')).first();
    await caption.waitFor({ timeout: 30000 });
    assert.ok(((await caption.textContent()) ?? '').trim().length > 0);
    await page.locator(message('assistant'), { hasText: 'DHL' }).first().waitFor({ timeout: 30000 });

    let audio: InboundAudio | undefined;
    for (let i = 0; i < 100; i++) {
      audio = await inboundAudio(page);
      if (audio && audio.packetsReceived > 0 && audio.totalAudioEnergy > 0) break;
      await page.waitForTimeout(200);
    }
    assert.ok(
      audio && audio.packetsReceived > 0,
      `no audio packets from the agent: ${JSON.stringify(audio)}`,
    );
    assert.ok(audio.totalAudioEnergy > 0, 'the agent’s audio is silence');
    await page.screenshot({ path: '/tmp/voice-widget.png' });

    // Hanging up ends the agent's side on the node too.
    const agent = node.node.parts!.agent;
    assert.equal(agent.voices.size, 1);
    await talk.click();
    await page.locator('[data-testid=lp-talk][data-voice=off]').waitFor();
    await until(() => agent.voices.size === 0, 'the voice agent to leave with the customer');
    assert.equal(await inboundAudio(page), undefined);
    // Text chat goes on after the call.
    assert.ok(await page.locator('[data-testid=lp-input]').isEnabled());
    await context.close();
  });

  it('ends the call when the customer closes the panel', async () => {
    const { context, page } = await openWidget();
    await page.click('[data-testid=lp-talk]');
    await page.locator('[data-testid=lp-talk][data-voice=live]').waitFor({ timeout: 15000 });
    const agent = node.node.parts!.agent;
    await until(() => agent.voices.size === 1, 'the agent in the room');
    await page.click('[data-testid=lp-close]');
    await until(() => agent.voices.size === 0, 'the agent to leave');
    await context.close();
  });

  it('tells the customer the microphone is blocked, hangs up and keeps the text chat', async () => {
    const { context, page } = await openWidget();
    await page.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    await page.reload();
    await page.locator('[data-testid=lp-brain]').waitFor();
    await page.click('[data-testid=lp-talk]');
    const notice = page.locator('[data-testid=lp-voice-notice]');
    await notice.waitFor();
    assert.match((await notice.textContent()) ?? '', /microphone is blocked/i);
    await page.locator('[data-testid=lp-talk][data-voice=off]').waitFor();
    const agent = node.node.parts!.agent;
    await until(() => agent.voices.size === 0, 'the agent to leave');
    await page.fill('[data-testid=lp-input]', 'Where is my order?');
    await page.click('[data-testid=lp-send]');
    await page.locator(message('assistant'), { hasText: 'DHL' }).first().waitFor({ timeout: 10000 });
    await context.close();
  });
});
