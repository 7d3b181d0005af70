import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UdpRelay } from '@liveport/link-emulator';
import { startTestNode, type TestNode } from '../support/node.ts';
import { Bot, until } from '../support/bot.ts';

const PORTS = { portMin: 41100, portMax: 41139 };

/**
 * Repairs to a subscriber go as RTX (RFC 4588): the node answers a viewer's NACKs on the
 * retransmission payload type paired with the video codec, not by resending on the stream.
 */
describe('retransmissions to a viewer on a lossy link', () => {
  let node: TestNode;
  let relay: UdpRelay;
  before(async () => {
    relay = await UdpRelay.start({ listenHost: '127.0.0.2', targetHost: '127.0.0.1', ...PORTS });
    node = await startTestNode({
      rtc: { bindAddress: '127.0.0.1', announcedIp: '127.0.0.2', ...PORTS },
    } as never);
  });
  after(async () => {
    await node?.stop();
    relay?.close();
  });

  it('are negotiated as RTX paired with the codec, and NACKs are answered with them', async () => {
    const publisher = await Bot.join(node.url, node.token('host'));
    await publisher.publishSynthetic({ width: 320, height: 180 });
    await until(() => relay.list().length > 0, 10_000, 'the publisher through the relay');
    const publisherPorts = new Set(relay.list().map((f) => f.clientPort));
    relay.set({ up: { loss: 0.1 }, down: { loss: 0.1 } });
    for (const port of publisherPorts) relay.setFlow(port, { up: { loss: 0 }, down: { loss: 0 } });
    const viewer = await Bot.join(node.url, node.token('viewer'));
    try {
      await until(() => viewer.framesDecoded > 0, 15_000, 'the viewer decodes video');
      const room = node.node.sfu.get('test')!;
      const down = [...room.byIdentity('viewer')!.downTracks.values()].find((d) => d.track.kind === 'video')!;
      const sender = down.transceiver.sender as unknown as {
        codec?: { payloadType: number };
        rtxPayloadType?: number;
        retransmittedPacketsSent: number;
      };
      assert.ok(sender.rtxPayloadType !== undefined, 'an RTX payload type was negotiated');
      const sdp = (viewer.room as unknown as { subscriber: RTCPeerConnection }).subscriber.remoteDescription!
        .sdp;
      assert.match(sdp, new RegExp(`a=fmtp:${sender.rtxPayloadType} apt=${sender.codec!.payloadType}`));
      await until(() => sender.retransmittedPacketsSent > 5, 15_000, 'lost packets are retransmitted');
      const before = viewer.framesDecoded;
      await new Promise((r) => setTimeout(r, 3000));
      assert.ok(viewer.framesDecoded > before + 10, 'and the video goes on');
    } finally {
      await viewer.leave();
      await publisher.leave();
      relay.set({ up: { loss: 0 }, down: { loss: 0 } });
    }
  });
});
