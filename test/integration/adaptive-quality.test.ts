import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UdpRelay } from '@liveport/link-emulator';
import { startTestNode, type TestNode } from '../support/node.ts';
import { Bot, until } from '../support/bot.ts';

const PORT_MIN = 41000;
const PORT_MAX = 41019;

describe('simulcast and adaptive quality through an emulated link', () => {
  let node: TestNode;
  let relay: UdpRelay;
  before(async () => {
    relay = await UdpRelay.start({
      listenHost: '127.0.0.2',
      targetHost: '127.0.0.1',
      portMin: PORT_MIN,
      portMax: PORT_MAX,
    });
    node = await startTestNode({
      rtc: { bindAddress: '127.0.0.1', announcedIp: '127.0.0.2', portMin: PORT_MIN, portMax: PORT_MAX },
    });
  });
  after(async () => {
    await node.stop();
    relay.close();
  });

  it(
    'gives a subscriber capped at 300 kbit/s the low layer, the high one when the cap lifts, and keeps it with every frame at 10 % loss',
    { timeout: 90000 },
    async () => {
      const publisher = await Bot.join(node.url, node.token('host'));
      const [camera] = await publisher.publishSynthetic({
        width: 640,
        height: 360,
        simulcast: true,
        detail: 0.15,
      });
      await until(() => relay.list().length > 0, 10000, 'the publisher reaches the node through the relay');
      const publisherPorts = new Set(relay.list().map((f) => f.clientPort));
      const viewer = await Bot.join(node.url, node.token('viewer'));
      try {
        await until(() => viewer.framesDecoded > 10, 15000, 'viewer decodes video through the relay');
        // the viewer's flows are the ones that appeared when it joined
        const viewerPorts = [...new Set(relay.list().map((f) => f.clientPort))].filter(
          (p) => !publisherPorts.has(p),
        );
        assert.ok(viewerPorts.length > 0, 'the viewer reaches the node through the relay');
        const down = () => node.node.sfu.get('test')!.byIdentity('viewer')!.downTracks.get(camera!.sid)!;
        const track = node.node.sfu.get('test')!.byIdentity('host')!.published.get(camera!.sid)!;
        const top = track.layers.length - 1;
        await until(
          () => track.layers[1]!.bitrate > 350_000,
          15000,
          'the upper layers cost more than the cap',
        );

        for (const port of viewerPorts) relay.setFlow(port, { down: { bandwidthKbps: 300, queueMs: 150 } });
        await until(() => down().current === 0, 20000, 'switched to the low layer under the cap');
        await new Promise((r) => setTimeout(r, 1000)); // the queue drains, the low layer's keyframe lands
        const framesAtLow = viewer.framesDecoded;
        // While capped the node probes the link for the next layer with padding now and then,
        // and a failed probe leaves the picture where it is: the viewer stays on the low layer
        // all the time, and the picture keeps moving. (Smoothness itself is measured by
        // `npm run bench -- quality`.)
        let atLow = 0;
        for (let i = 0; i < 60; i++) {
          await new Promise((r) => setTimeout(r, 100));
          if (down().current <= 0) atLow++; // on the low layer, or between layers for a keyframe
        }
        assert.equal(atLow, 60, `above the low layer ${6000 - atLow * 100} ms of 6000 ms while capped`);
        assert.ok(
          viewer.framesDecoded - framesAtLow > 5,
          `low layer keeps playing (${viewer.framesDecoded - framesAtLow} frames in 6 s)`,
        );

        for (const port of viewerPorts) relay.setFlow(port, { down: { bandwidthKbps: 0 } });
        const liftedAt = Date.now();
        await until(() => down().current === top, 30000, 'back on the high layer after the cap lifts');
        console.log(
          `high layer back ${Date.now() - liftedAt} ms after the cap lifted; padding probes passed ${down().layers.probesPassed}, failed ${down().layers.probesFailed}, ${down().paddingBytesSent} bytes`,
        );
        // the way back up was proven by padding the viewer's link (RTX copies it discards)
        assert.ok(
          down().layers.probesPassed >= 1 && down().paddingBytesSent > 0,
          'the high layer came back on a padding probe',
        );

        // let the top layer settle (a try is confirmed after 3 s), then
        // 10 % loss on the viewer's link, both ways: repaired by copies, NACK/RTX and keyframe
        // requests. The noisy picture makes the publisher's encoder send only a few frames a
        // second on the top layer, so the viewer is judged against what the publisher sent.
        await new Promise((r) => setTimeout(r, 3500));
        const topSsrc = track.layers[top]!.ssrc;
        let sentOnTop = 0;
        const untap = track.tap((rtp) => {
          if (rtp.header.marker && rtp.header.ssrc === topSsrc) sentOnTop++;
        });
        for (const port of viewerPorts) relay.setFlow(port, { up: { loss: 0.1 }, down: { loss: 0.1 } });
        const before = viewer.framesDecoded;
        await new Promise((r) => setTimeout(r, 10_000));
        untap();
        const atLoss = viewer.framesDecoded - before;
        console.log(
          `at 10 % loss: ${atLoss} frames decoded of ${sentOnTop} the publisher sent on the top layer`,
        );
        // random loss is not congestion: the layer stays, and (nearly) every frame gets through
        assert.equal(down().current, top, 'still on the top layer');
        assert.ok(sentOnTop > 10, `the publisher sent ${sentOnTop} frames on the top layer`);
        assert.ok(atLoss >= 0.9 * sentOnTop, `${atLoss} of ${sentOnTop} frames decoded at 10 % loss`);
        for (const port of viewerPorts) relay.setFlow(port, { up: { loss: 0 }, down: { loss: 0 } });
      } finally {
        await viewer.leave();
        await publisher.leave();
      }
    },
  );
});
