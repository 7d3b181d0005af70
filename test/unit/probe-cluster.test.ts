import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PacketReport } from '../../packages/media/src/DelayBasedEstimator.ts';
import { ProbeCluster } from '../../packages/media/src/ProbeCluster.ts';
import { LayerController } from '../../packages/media/src/LayerController.ts';

/**
 * Packets of 1000 bytes sent at `sendKbps` for `ms` through a bottleneck of `capacityKbps`
 * whose queue holds `queueMs` of it (drop-tail), then a 100 ms path losing `loss` at random.
 * The two clocks have different origins, as the node's and the receiver's do.
 */
function throughBottleneck(o: {
  sendKbps: number;
  capacityKbps: number;
  ms: number;
  queueMs?: number;
  loss?: number;
}) {
  const size = 1000;
  const gapMs = (size * 8) / o.sendKbps;
  const serviceMs = (size * 8) / o.capacityKbps;
  let free = 0;
  let seed = 11;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const reports: PacketReport[] = [];
  for (let t = 0; t <= o.ms + 200; t += gapMs) {
    const waiting = Math.max(0, free - t);
    const dropped = waiting > (o.queueMs ?? 150) || random() < (o.loss ?? 0);
    let arrivalMs: number | undefined;
    if (waiting <= (o.queueMs ?? 150)) {
      free = Math.max(t, free) + serviceMs;
      arrivalMs = dropped ? undefined : 90_000 + free + 100;
    }
    reports.push({ sendMs: 1_000_000 + Math.floor(t), arrivalMs, size });
  }
  return reports;
}

function judge(reports: PacketReport[], ms: number) {
  const cluster = new ProbeCluster(1_000_000, 1_000_000 + ms);
  // feedback comes in batches, as every 100 ms
  for (let i = 0; i < reports.length; i += 10) cluster.add(reports.slice(i, i + 10));
  return cluster;
}

describe('padding probes of a subscriber link', () => {
  it('passes a link with room for the probed rate, with 20 % random loss too', () => {
    for (const loss of [0, 0.2]) {
      const cluster = judge(throughBottleneck({ sendKbps: 600, capacityKbps: 1000, ms: 500, loss }), 500);
      assert.ok(cluster.complete);
      const r = cluster.result();
      assert.ok(r.ok, `loss ${loss}: ${JSON.stringify(r)}`);
      assert.ok(Math.abs(r.sentBps - 600_000) < 30_000, `sent ${r.sentBps}`);
    }
  });

  it('fails a link capped below the probed rate, and measures about the cap', () => {
    const r = judge(throughBottleneck({ sendKbps: 600, capacityKbps: 400, ms: 500 }), 500).result();
    assert.equal(r.ok, false);
    assert.ok(r.deliveredBps > 350_000 && r.deliveredBps < 450_000, `delivered ${r.deliveredBps}`);
  });

  it('fails a link just under the rate, where the bottleneck queue never overflows', () => {
    const r = judge(
      throughBottleneck({ sendKbps: 600, capacityKbps: 500, ms: 500, queueMs: 1000 }),
      500,
    ).result();
    assert.equal(r.lossRatio, 0);
    assert.equal(r.ok, false, JSON.stringify(r));
  });

  it('is not complete before feedback reports past its end, and a few packets prove nothing', () => {
    const reports = throughBottleneck({ sendKbps: 600, capacityKbps: 1000, ms: 500 });
    const early = new ProbeCluster(1_000_000, 1_000_500);
    early.add(reports.filter((r) => r.sendMs <= 1_000_400));
    assert.equal(early.complete, false);
    const few = judge(reports.slice(0, 5), 500).result();
    assert.equal(few.ok, false);
  });

  it('survives reports with no arrivals at all', () => {
    const cluster = new ProbeCluster(0, 500);
    cluster.add([...Array(40)].map((_, i) => ({ sendMs: i * 20, arrivalMs: undefined, size: 1000 })));
    const r = cluster.result();
    assert.equal(r.ok, false);
    assert.equal(r.lossRatio, 1);
  });
});

describe('layer choice with padding probes', () => {
  const costs = { costs: [150_000, 600_000] };
  /** on the low layer of a link with live feedback and padding, at its first tick */
  const probingFromLow = () => {
    const c = new LayerController(2);
    c.byBandwidth = 0;
    c.paddingProbes = true;
    c.onDelay(true, false, Infinity);
    c.tick(0, costs, 0);
    return c;
  };

  it('asks for padding instead of switching, and switches only on a passed probe', () => {
    const c = probingFromLow();
    assert.equal(c.target, 0, 'the picture stays on its layer while the probe runs');
    const probe = c.probeWanted!;
    assert.equal(probe.layer, 1);
    // padding up to 1.2 x the upper layer's cost, over what the current layer sends
    assert.equal(probe.extraBps, 1.2 * 600_000 - 150_000);
    c.probeWanted = undefined;
    c.tick(0, costs, 500);
    assert.equal(c.probeWanted, undefined, 'one probe at a time');
    c.onProbeResult(1, true, 1000);
    assert.equal(c.target, 1);
    assert.equal(c.probesPassed, 1);
  });

  it('stays on its layer after a failed probe and waits before the next', () => {
    const c = probingFromLow();
    c.probeWanted = undefined;
    c.onProbeResult(1, false, 800);
    assert.equal(c.target, 0);
    let next = -1;
    for (let now = 1000; now < 20_000 && next < 0; now += LayerController.tickMs) {
      c.tick(0, costs, now);
      if (c.probeWanted) next = now;
    }
    assert.ok(next - 800 >= 8000, `the next probe ${next - 800} ms after a failure`);
    assert.equal(c.target, 0);
  });

  it('tries the layer itself where no padding can be sent', () => {
    const c = new LayerController(2);
    c.byBandwidth = 0;
    c.onDelay(true, false, Infinity);
    c.tick(0, costs, 0);
    assert.equal(c.probeWanted, undefined);
    assert.equal(c.target, 1);
  });
});
