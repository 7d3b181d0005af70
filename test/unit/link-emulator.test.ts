import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { UdpRelay, burstyLoss, LinkShaper } from '@liveport/link-emulator';

const PORT = 47110;

/** A UDP echo "node" behind the relay and a client in front of it, on loopback. */
describe('link emulator', () => {
  let relay: UdpRelay;
  let node: Socket;
  let client: Socket;
  const received: { at: number; size: number; seq: number }[] = [];

  before(async () => {
    node = createSocket('udp4');
    node.on('message', (msg, r) => {
      if (msg[0] === 1)
        node.send(msg, r.port, r.address); // echo requests
      else received.push({ at: performance.now(), size: msg.length, seq: msg.readUInt32BE(1) });
    });
    await new Promise<void>((r) => node.bind(PORT, '127.0.0.1', r));
    relay = await UdpRelay.start({
      listenHost: '127.0.0.2',
      targetHost: '127.0.0.1',
      portMin: PORT,
      portMax: PORT,
    });
    client = createSocket('udp4');
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
  });
  after(() => {
    relay.close();
    node.close();
    client.close();
  });

  const packet = (kind: number, seq: number, size = 100) => {
    const b = Buffer.alloc(size);
    b[0] = kind;
    b.writeUInt32BE(seq, 1);
    return b;
  };
  const sendSpaced = async (count: number, size: number, kbps: number) => {
    const gapMs = (size * 8) / kbps;
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      client.send(packet(2, i, size), PORT, '127.0.0.2');
      const wait = t0 + (i + 1) * gapMs - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    }
  };
  const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('adds the configured delay each way (round trip within 10 ms of 2x)', async () => {
    relay.set({ up: { delayMs: 40 }, down: { delayMs: 40 } });
    const rtts: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      client.send(packet(1, i), PORT, '127.0.0.2');
      await new Promise<void>((r) => client.once('message', () => r()));
      rtts.push(performance.now() - t0);
    }
    const mean = rtts.reduce((a, b) => a + b) / rtts.length;
    assert.ok(mean > 79 && mean < 90, `mean rtt ${mean.toFixed(1)} ms`);
    relay.set({ up: { delayMs: 0 }, down: { delayMs: 0 } });
  });

  it('loses the configured fraction at random, and in bursts with Gilbert–Elliott', async () => {
    received.length = 0;
    relay.set({ up: { loss: 0.1 } });
    await sendSpaced(3000, 100, 8000);
    await settle(100);
    const loss = 1 - received.length / 3000;
    assert.ok(Math.abs(loss - 0.1) < 0.025, `random loss ${loss.toFixed(3)}`);

    received.length = 0;
    relay.set({ up: { loss: 0.1, burst: burstyLoss(0.1, 5) } });
    await sendSpaced(4000, 100, 8000);
    await settle(100);
    const got = new Set(received.map((r) => r.seq));
    let bursts = 0;
    let lost = 0;
    for (let i = 0; i < 4000; i++) {
      if (got.has(i)) continue;
      lost++;
      if (i === 0 || got.has(i - 1)) bursts++;
    }
    assert.ok(Math.abs(lost / 4000 - 0.1) < 0.04, `bursty loss ${(lost / 4000).toFixed(3)}`);
    assert.ok(lost / bursts > 3, `mean burst ${(lost / bursts).toFixed(1)} packets`);
    relay.set({ up: { loss: 0, burst: undefined } });
  });

  it('caps the rate with a bounded queue, and lifts the cap while running', async () => {
    received.length = 0;
    relay.set({ up: { bandwidthKbps: 500, queueMs: 100 } });
    await sendSpaced(250, 1000, 1000); // 2 s at twice the cap
    await settle(200);
    const span = received[received.length - 1]!.at - received[0]!.at;
    const kbps = (received.reduce((a, r) => a + r.size, 0) * 8) / span;
    assert.ok(kbps > 425 && kbps < 560, `throughput ${kbps.toFixed(0)} kbit/s under a 500 kbit/s cap`);
    const flow = relay.list()[0]!;
    assert.ok(flow.up.lostQueue > 50, `queue overflow dropped ${flow.up.lostQueue}`);

    received.length = 0;
    relay.set({ up: { bandwidthKbps: 0 } });
    await sendSpaced(100, 1000, 1000);
    await settle(100);
    assert.equal(received.length, 100, 'nothing dropped once the cap is lifted');
  });

  it('reorders a fraction of packets when asked, and never otherwise', () => {
    const out: number[] = [];
    let clock = 0;
    const shaper = new LinkShaper({ jitterMs: 5 }, (p) => out.push(p.readUInt32BE(1)));
    for (let i = 0; i < 100; i++) shaper.push(packet(2, i), (clock += 1));
    assert.equal(shaper.stats.reordered, 0);
    shaper.close();
    assert.throws(() => new LinkShaper({ loss: 2 }, () => undefined), /loss/);
  });
});
