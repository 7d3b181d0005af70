import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RtcpHeader, TransportWideCC } from 'werift';
import { DelayBasedEstimator, type PacketReport } from '../../packages/media/src/DelayBasedEstimator.ts';
import { readTransportFeedback } from '../../packages/media/src/TransportFeedback.ts';
import { LayerController } from '../../packages/media/src/LayerController.ts';

interface Phase {
  /** send one packet every intervalMs, for seconds */
  intervalMs: number;
  seconds: number;
  /** extra packets sent at once at these times into the phase (a keyframe's burst) */
  bursts?: { atMs: number; packets: number }[];
  onFeedback?: (estimator: DelayBasedEstimator, sendMs: number) => void;
}

/**
 * A synthetic link: packets of 1200 bytes through a bottleneck of `capacityKbps` (a FIFO
 * queue, nothing dropped by it) and a path of 50 ms with uniform jitter that never reorders,
 * losing `loss` of the packets at random. Feedback is given every 100 ms of send time, a path
 * delay later. `run` sends one phase; the queue carries over from phase to phase.
 */
function syntheticLink(link: { capacityKbps: number; loss?: number; jitterMs?: number }) {
  const estimator = new DelayBasedEstimator();
  const size = 1200;
  const delayMs = 50;
  let seed = 7;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const serviceMs = (size * 8) / link.capacityKbps;
  let clock = 0;
  let bottleneckFree = 0;
  let lastArrival = 0;
  let batch: PacketReport[] = [];
  const sendOne = (sendMs: number) => {
    const leave = Math.max(sendMs, bottleneckFree) + serviceMs;
    bottleneckFree = leave;
    const jitter = (random() * 2 - 1) * (link.jitterMs ?? 0);
    const arrival = Math.max(lastArrival, leave + delayMs + jitter);
    lastArrival = arrival;
    const lost = random() < (link.loss ?? 0);
    // the two clocks have different origins: only differences may matter
    batch.push({ sendMs: 1_000_000 + sendMs, arrivalMs: lost ? undefined : 5000 + arrival, size });
  };
  return {
    estimator,
    run(phase: Phase): DelayBasedEstimator {
      const from = clock;
      const bursts = [...(phase.bursts ?? [])];
      for (; clock < from + phase.seconds * 1000; clock += phase.intervalMs) {
        while (bursts.length && from + bursts[0]!.atMs <= clock) {
          const burst = bursts.shift()!;
          for (let i = 0; i < burst.packets; i++) sendOne(clock);
        }
        sendOne(clock);
        if (clock % 100 < phase.intervalMs) {
          estimator.onFeedback(batch, clock + delayMs);
          phase.onFeedback?.(estimator, clock - from);
          batch = [];
        }
      }
      return estimator;
    },
  };
}

describe('delay-based estimate of a subscriber link (transport-wide feedback)', () => {
  it('reads a queue that keeps growing as overuse, and finds a ceiling near what the link carries', () => {
    // 960 kbit/s into a 600 kbit/s link: the queue grows by 60 % of the elapsed time
    let overuseAt = -1;
    const estimator = syntheticLink({ capacityKbps: 600 }).run({
      intervalMs: 10,
      seconds: 3,
      onFeedback: (e, t) => {
        if (overuseAt < 0 && e.usage === 'overuse') overuseAt = t;
      },
    });
    assert.equal(estimator.usage, 'overuse');
    assert.ok(overuseAt > 0 && overuseAt < 1500, `overuse seen ${overuseAt} ms into the overload`);
    assert.ok(estimator.queueDelayMs > 300, `queue ${estimator.queueDelayMs} ms`);
    assert.ok(estimator.trendMsPerS > 200, `queue grows ${estimator.trendMsPerS} ms/s`);
    assert.ok(
      estimator.ceilingBps > 400_000 && estimator.ceilingBps < 600_000,
      `ceiling ${estimator.ceilingBps} bit/s for a 600 kbit/s link`,
    );
  });

  it('does not read 20 % random loss with jitter but a flat delay as congestion', () => {
    let overuses = 0;
    const estimator = syntheticLink({ capacityKbps: 2000, loss: 0.2, jitterMs: 10 }).run({
      intervalMs: 10,
      seconds: 10,
      onFeedback: (e) => {
        if (e.usage === 'overuse') overuses++;
      },
    });
    assert.equal(overuses, 0);
    assert.ok(estimator.queueDelayMs < 15, `queue ${estimator.queueDelayMs} ms`);
    assert.ok(Math.abs(estimator.lossRatio - 0.2) < 0.1, `loss ${estimator.lossRatio}`);
    assert.equal(estimator.ceilingBps, Infinity, 'no ceiling found on a link that never queued');
    assert.ok(estimator.ackedBps > 700_000 && estimator.ackedBps < 850_000, `acked ${estimator.ackedBps}`);
  });

  it('does not read a keyframe burst on a link with room as congestion', () => {
    // 480 kbit/s on a 1 Mbit/s link, a 36 kB keyframe every 2 s: each queues ~300 ms, then drains
    let overuses = 0;
    syntheticLink({ capacityKbps: 1000 }).run({
      intervalMs: 20,
      seconds: 10,
      bursts: [1000, 3000, 5000, 7000, 9000].map((atMs) => ({ atMs, packets: 30 })),
      onFeedback: (e) => {
        if (e.usage === 'overuse') overuses++;
      },
    });
    assert.equal(overuses, 0);
  });

  it('does not read a keyframe that takes over a second to drain as congestion, while it drains', () => {
    // a 96 kB keyframe with its copies, on a 1 Mbit/s link already half used: ~1.5 s to drain
    let overuses = 0;
    syntheticLink({ capacityKbps: 1000 }).run({
      intervalMs: 20,
      seconds: 8,
      bursts: [{ atMs: 2000, packets: 80 }],
      onFeedback: (e) => {
        if (e.usage === 'overuse') overuses++;
      },
    });
    assert.equal(overuses, 0);
  });

  it('reads the link as normal again once the sender slowed down, and forgets the ceiling later', () => {
    const link = syntheticLink({ capacityKbps: 600 });
    const estimator = link.run({ intervalMs: 10, seconds: 2 });
    assert.equal(estimator.usage, 'overuse');
    // the sender now sends 240 kbit/s: the queue of ~1.2 s drains in about 2 s
    link.run({ intervalMs: 40, seconds: 4 });
    assert.equal(estimator.usage, 'normal');
    assert.ok(Number.isFinite(estimator.ceilingBps), 'the ceiling found is remembered for a while');
    // without padding to probe with, only trying a layer shows the link has room again
    link.run({ intervalMs: 40, seconds: 12 });
    assert.equal(estimator.ceilingBps, Infinity);
  });
});

describe('layer choice from the delay-based estimate', () => {
  const costs = { costs: [150_000, 600_000] };

  it('keeps the upper layer on a link with random loss but no queue', () => {
    const c = new LayerController(2);
    let now = 0;
    for (; now < 10_000; now += LayerController.tickMs) {
      c.onLoss(0.25); // what the receiver reports at 20 % loss each way
      c.onDelay(true, false, Infinity);
      c.tick(c.byBandwidth, costs, now);
    }
    assert.equal(c.target, 1);
  });

  it('steps down on a standing queue, and tries the upper layer only once the ceiling has room', () => {
    const c = new LayerController(2);
    let now = 0;
    c.onDelay(true, false, Infinity);
    c.tick(0, costs, now); // tries the upper layer at once
    assert.equal(c.target, 1);
    now += 1000;
    c.onDelay(true, true, 200_000);
    c.tick(1, costs, now);
    assert.equal(c.target, 1, "a queue right after the switch may be its keyframe's burst");
    now += 1000;
    c.tick(1, costs, now);
    assert.equal(c.target, 0, 'a queue standing two seconds into the try ends it');
    for (now += 500; now < 20_000; now += 500) {
      c.onDelay(true, false, 200_000);
      c.tick(0, costs, now);
    }
    assert.equal(c.target, 0, 'a 600 kbit/s layer is not tried on a link found to carry 200 kbit/s');
    c.onDelay(true, false, Infinity); // the ceiling forgotten
    c.tick(0, costs, now);
    assert.equal(c.target, 1, 'tried again once the ceiling is forgotten');
  });

  it('falls back to loss when the feedback stops', () => {
    const c = new LayerController(2);
    c.tick(0, costs, 0);
    assert.equal(c.target, 1);
    c.onDelay(false, false, Infinity);
    c.onLoss(0.5);
    c.onLoss(0.5);
    c.tick(1, costs, 2000);
    assert.equal(c.target, 0);
  });
});

describe('reading transport-wide feedback', () => {
  it('numbers status-vector and run-length chunks in order and keeps sub-millisecond deltas', () => {
    const body = Buffer.from([
      ...[0, 0, 0, 1], // sender SSRC
      ...[0, 0, 0, 2], // media SSRC
      ...[0, 100], // base sequence number
      ...[0, 8], // packet status count
      ...[0, 0, 10], // reference time: 10 x 64 ms
      7, // feedback packet count
      // 2-bit status vector for 100..106: small, lost, small, large, lost, lost, lost
      0b1101_0001,
      0b1000_0000,
      // run length: one packet (107) received with a small delta
      0b0010_0000,
      0b0000_0001,
      5, // 100: +1.25 ms
      2, // 102: +0.5 ms
      0xff,
      0xfc, // 103: -1 ms
      40, // 107: +10 ms
    ]);
    const feedback = TransportWideCC.deSerialize(body, new RtcpHeader({ type: 205, count: 15 }));
    const arrivals = readTransportFeedback(feedback);
    assert.deepEqual(
      arrivals.map((a) => a.wideSeq),
      [100, 101, 102, 103, 104, 105, 106, 107],
    );
    assert.deepEqual(
      arrivals.map((a) => a.arrivalMs),
      [641.25, undefined, 641.75, 640.75, undefined, undefined, undefined, 650.75],
    );
  });
});
