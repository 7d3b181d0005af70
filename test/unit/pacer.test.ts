import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Pacer } from '../../packages/media/src/Pacer.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A keyframe's worth of packets submitted at once, and when each one went. */
async function burst(pacer: Pacer, packets: number, bytes = 1000): Promise<number[]> {
  const sentAt: number[] = [];
  const start = performance.now();
  for (let i = 0; i < packets; i++) pacer.submit(bytes, () => sentAt.push(performance.now() - start));
  await sleep(400);
  return sentAt;
}

describe('the pacer of a subscriber link', () => {
  it('sends everything at once while no limit is known', async () => {
    const pacer = new Pacer();
    const sentAt = await burst(pacer, 30);
    assert.equal(sentAt.length, 30);
    assert.ok(
      sentAt.every((t) => t < 5),
      'all synchronous',
    );
    assert.equal(pacer.delayed, 0);
  });

  it('spreads a burst at the pacing rate, in order', async () => {
    const pacer = new Pacer();
    pacer.setRate(1_600_000); // 200 bytes per ms
    const order: number[] = [];
    const sentAt: number[] = [];
    const start = performance.now();
    for (let i = 0; i < 30; i++)
      pacer.submit(1000, () => {
        order.push(i);
        sentAt.push(performance.now() - start);
      });
    await sleep(400);
    assert.deepEqual(
      order,
      Array.from({ length: 30 }, (_, i) => i),
    );
    // 30 kB minus the bucket's 3.6 kB at 200 B/ms: about 130 ms, not 0
    const span = sentAt.at(-1)! - sentAt[0]!;
    assert.ok(span > 90 && span < 250, `burst spread over ${Math.round(span)} ms`);
    assert.ok(pacer.delayed > 20);
  });

  it('never holds a packet much longer than a quarter second, whatever the rate', async () => {
    const pacer = new Pacer();
    pacer.setRate(80_000); // 10 bytes per ms: 30 kB would take 3 s
    const sentAt = await burst(pacer, 30);
    assert.equal(sentAt.length, 30);
    assert.ok(sentAt.at(-1)! < 300, `last went at ${Math.round(sentAt.at(-1)!)} ms`);
  });

  it('lets audio through at once while video waits, and lets go of everything when the limit goes', async () => {
    const pacer = new Pacer();
    pacer.setRate(400_000);
    const sent: string[] = [];
    for (let i = 0; i < 20; i++) pacer.submit(1000, () => sent.push(`v${i}`));
    pacer.submit(100, () => sent.push('audio'), true);
    assert.ok(sent.includes('audio') && sent.length < 21, 'audio went ahead of held video');
    pacer.setRate(Infinity);
    assert.equal(sent.length, 21, 'the held video went at once');
    pacer.close();
  });
});
