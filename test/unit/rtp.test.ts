import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Red, RtpHeader, RtpPacket } from 'werift';
import {
  KeyframeCache,
  RedPacker,
  RepeatQueue,
  vp8TemporalId,
  RtpMunger,
  announceAddress,
  isH264Keyframe,
  isVp8Keyframe,
  seqDiff,
} from '@liveport/media';

describe('RTP rewriting per subscriber', () => {
  it('keeps numbering of one source as it came, gaps included', () => {
    const m = new RtpMunger(90000);
    const out = [100, 101, 103].map((seq) => {
      const h = { sequenceNumber: seq, timestamp: seq * 3000 };
      assert.ok(m.rewrite(h, seq));
      return h.sequenceNumber;
    });
    assert.deepEqual(out, [100, 101, 103]);
  });

  it('continues sequence numbers and advances timestamps across a source switch', () => {
    const m = new RtpMunger(90000);
    const a = { sequenceNumber: 65534, timestamp: 4294967000 };
    m.rewrite(a, 1000);
    const b = { sequenceNumber: 65535, timestamp: 4294967000 };
    m.rewrite(b, 1000);
    m.switchSource();
    const c = { sequenceNumber: 20000, timestamp: 777 };
    m.rewrite(c, 1100); // 100 ms later
    assert.equal(c.sequenceNumber, 0, 'wraps to 0 right after 65535');
    assert.equal(c.timestamp, (4294967000 + 9000) % 2 ** 32, '100 ms at 90 kHz later');
    const d = { sequenceNumber: 20001, timestamp: 777 + 3000 };
    m.rewrite(d, 1133);
    assert.equal(d.sequenceNumber, 1);
    assert.equal(d.timestamp, c.timestamp + 3000);
  });

  it('drops late packets of the previous source after a switch', () => {
    const m = new RtpMunger(90000);
    m.rewrite({ sequenceNumber: 10, timestamp: 0 }, 0);
    m.switchSource();
    m.rewrite({ sequenceNumber: 500, timestamp: 0 }, 10);
    assert.equal(m.rewrite({ sequenceNumber: 499, timestamp: 0 }, 11), false);
  });

  it('compares sequence numbers across the wrap', () => {
    assert.equal(seqDiff(1, 65535), 2);
    assert.equal(seqDiff(65535, 1), -2);
  });
});

describe('keyframe detection', () => {
  it('finds VP8 keyframes with and without extended descriptors', () => {
    assert.equal(isVp8Keyframe(Uint8Array.from([0x10, 0x00])), true);
    assert.equal(isVp8Keyframe(Uint8Array.from([0x10, 0x01])), false);
    // X=1, I=1 with 15-bit picture id, then key frame header
    assert.equal(isVp8Keyframe(Uint8Array.from([0x90, 0x80, 0x81, 0x23, 0x00])), true);
    assert.equal(isVp8Keyframe(Uint8Array.from([0x00, 0x00])), false, 'not a partition start');
  });

  it('finds H.264 IDR and SPS in single, STAP-A and FU-A packets', () => {
    assert.equal(isH264Keyframe(Uint8Array.from([0x65])), true);
    assert.equal(isH264Keyframe(Uint8Array.from([0x41])), false);
    assert.equal(
      isH264Keyframe(Uint8Array.from([0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce])),
      true,
    );
    assert.equal(isH264Keyframe(Uint8Array.from([0x7c, 0x85])), true);
    assert.equal(isH264Keyframe(Uint8Array.from([0x7c, 0x05])), false, 'middle of a fragment');
  });

  it('never throws on garbage', () => {
    for (let i = 0; i < 5000; i++) {
      const p = Uint8Array.from({ length: i % 12 }, () => Math.floor(Math.random() * 256));
      isVp8Keyframe(p);
      isH264Keyframe(p);
    }
  });
});

describe('announced address', () => {
  it('replaces host candidate addresses only', () => {
    const sdp =
      'a=candidate:1 1 udp 2130706431 10.0.0.5 50000 typ host\r\na=candidate:2 1 udp 1 1.2.3.4 5 typ srflx raddr 0.0.0.0 rport 0\r\n';
    const out = announceAddress(sdp, '203.0.113.9');
    assert.match(out, /udp 2130706431 203\.0\.113\.9 50000 typ host/);
    assert.match(out, /1\.2\.3\.4 5 typ srflx/);
    assert.equal(announceAddress(sdp, undefined), sdp);
  });
});

describe('redundant audio (RFC 2198)', () => {
  const frame = (n: number) => Buffer.alloc(60 + n, n);
  it('carries the previous payloads oldest first, with their timestamp offsets, readable by a RED parser', () => {
    const red = new RedPacker();
    red.distance = 2;
    red.pack(frame(1), 1000, 111);
    red.pack(frame(2), 1960, 111);
    const parsed = Red.deSerialize(red.pack(frame(3), 2920, 111));
    assert.deepEqual(
      parsed.blocks.map((b) => [b.blockPT, b.timestampOffset, b.block[0], b.block.length]),
      [
        [111, 1920, 1, 61],
        [111, 960, 2, 62],
        [111, undefined, 3, 63],
      ],
    );
  });

  it('sends one copy at distance 1, none for the first packet, and skips payloads too old to offset', () => {
    const red = new RedPacker();
    assert.equal(Red.deSerialize(red.pack(frame(1), 0, 111)).blocks.length, 1);
    assert.equal(Red.deSerialize(red.pack(frame(2), 960, 111)).blocks.length, 2);
    // a jump past the 14-bit offset (a new source) leaves only the primary
    assert.equal(Red.deSerialize(red.pack(frame(3), 960 + 20000, 111)).blocks.length, 1);
  });
});

describe('keyframe cache', () => {
  const packet = (timestamp: number) => new RtpPacket(new RtpHeader({ timestamp }), Buffer.alloc(10));
  it('keeps a young group and forgets it once it is older than its age limit', () => {
    const cache = new KeyframeCache(500);
    cache.push(packet(0), true);
    cache.push(packet(9000), false); // 100 ms
    assert.equal(cache.group.length, 2);
    cache.push(packet(45_001), false); // past 500 ms
    assert.equal(cache.group.length, 0);
    cache.push(packet(50_000), false); // a delta without its keyframe is no start
    assert.equal(cache.group.length, 0);
    cache.push(packet(60_000), true);
    assert.equal(cache.group.length, 1);
  });
});

describe('reference-frame protection', () => {
  it('reads the VP8 temporal layer, and -1 when the descriptor carries none or is cut short', () => {
    // X=1, S=1; extension byte with I (7-bit picture id), L (TL0PICIDX), T; then TID=1 in the top bits
    assert.equal(vp8TemporalId(Uint8Array.from([0x90, 0xe0, 0x05, 0x07, 0x40])), 1);
    assert.equal(vp8TemporalId(Uint8Array.from([0x90, 0xe0, 0x05, 0x07, 0x20])), 0);
    assert.equal(vp8TemporalId(Uint8Array.from([0x10, 0x00])), -1);
    assert.equal(vp8TemporalId(Uint8Array.from([0x90, 0xe0, 0x05])), -1);
  });

  it('sends each chosen datagram again the asked number of times, spaced, then stops', async () => {
    const sent: Buffer[] = [];
    const queue = new RepeatQueue((d) => sent.push(d));
    const datagram = Buffer.from('x');
    queue.add(datagram, 2, performance.now());
    assert.equal(sent.length, 0, 'copies go later than the original');
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(sent.length, 2);
    assert.ok(sent.every((d) => d === datagram));
    queue.add(datagram, 3, performance.now());
    queue.clear();
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(sent.length, 2, 'nothing after clear');
  });
});
