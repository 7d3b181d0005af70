import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { startTestNode, type TestNode } from '../support/node.ts';
import { Bot, until } from '../support/bot.ts';

/** Datagrams that look like each protocol on the media port, then break it. */
function garbage(i: number): Buffer {
  const body = randomBytes(1 + (i % 1200));
  switch (i % 6) {
    case 0: // RTP version 2, random payload type and ssrc
      body[0] = 0x80;
      return body;
    case 1: // RTCP SR/RR/PSFB/RTPFB with lying lengths
      body[0] = 0x80 | (i & 0x1f);
      body[1] = [200, 201, 205, 206][i % 4]!;
      return body;
    case 2: {
      // STUN binding request with the magic cookie and garbage attributes
      const stun = Buffer.concat([
        Buffer.from([0x00, 0x01, 0x00, 0x40, 0x21, 0x12, 0xa4, 0x42]),
        randomBytes(12 + 64),
      ]);
      return stun;
    }
    case 3: // DTLS record headers
      body[0] = 0x16;
      body[1] = 0xfe;
      body[2] = 0xfd;
      return body;
    case 4:
      return Buffer.alloc(0);
    default:
      return body;
  }
}

describe('garbage on the media ports', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
  });
  after(async () => {
    await node.stop();
  });

  it('neither crashes the node nor disturbs a running call', { timeout: 60000 }, async () => {
    const publisher = await Bot.join(node.url, node.token('pub'));
    await publisher.publishSynthetic();
    const viewer = await Bot.join(node.url, node.token('viewer'));
    const socket = createSocket('udp4');
    try {
      await until(() => viewer.framesDecoded > 10, 10000, 'call running');
      const sdp = (viewer.room as unknown as { subscriber: RTCPeerConnection }).subscriber.remoteDescription!
        .sdp;
      const publisherSdp = (publisher.room as unknown as { publisher: RTCPeerConnection }).publisher
        .remoteDescription!.sdp;
      const ports = [...`${sdp}\n${publisherSdp}`.matchAll(/a=candidate:\S+ \d+ udp \d+ \S+ (\d+) typ/g)].map(
        (m) => Number(m[1]),
      );
      assert.ok(ports.length > 0);
      const framesBefore = viewer.framesDecoded;
      for (let i = 0; i < 3000; i++) {
        socket.send(garbage(i), ports[i % ports.length]!, '127.0.0.1');
        if (i % 100 === 0) await new Promise((r) => setTimeout(r, 10));
      }
      // A flood this dense overflows socket buffers, so media may glitch; the call must recover.
      await until(
        () => viewer.framesDecoded - framesBefore > 30,
        8000,
        'video flows again after the garbage',
      );
      const health = await fetch(`${node.url}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(node.node.sfu.get('test')!.participants.size, 2);
    } finally {
      socket.close();
      await viewer.leave();
      await publisher.leave();
    }
  });
});
