import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Vp8Munger } from '../../packages/media/src/Vp8Munger.ts';

/** A VP8 payload descriptor with a 15-bit picture id, TL0PICIDX and TID, then a few bytes of frame. */
function vp8(pictureId: number, tl0: number, tid = 0): Buffer {
  return Buffer.from([
    0x90,
    0xe0,
    0x80 | (pictureId >> 8),
    pictureId & 0xff,
    tl0,
    tid << 6,
    0x9d,
    0x01,
    0x2a,
  ]);
}
/** what the subscriber is sent: the rewritten first bytes, if any, then the rest */
function sent(munger: Vp8Munger, payload: Buffer): Buffer {
  const head = munger.rewrite(payload);
  return head ? Buffer.concat([head, payload.subarray(head.length)]) : payload;
}
const pictureIdOf = (p: Buffer) => ((p[2]! & 0x7f) << 8) | p[3]!;
const tl0Of = (p: Buffer) => p[4]!;

describe('VP8 picture numbering for one subscriber', () => {
  it('leaves a source it has not switched from untouched', () => {
    const munger = new Vp8Munger();
    assert.equal(munger.rewrite(vp8(1000, 50)), undefined);
    assert.equal(munger.rewrite(vp8(1001, 51)), undefined);
  });

  it('continues the numbering across a switch to another layer, and keeps the new layer’s own gaps', () => {
    const munger = new Vp8Munger();
    munger.rewrite(vp8(1000, 50));
    munger.rewrite(vp8(1001, 51, 1));
    munger.switchSource();
    // the other layer counts its own pictures
    const first = sent(munger, vp8(20000, 7));
    assert.equal(pictureIdOf(first), 1002);
    assert.equal(tl0Of(first), 52);
    const next = sent(munger, vp8(20003, 8, 2)); // two pictures the publisher never sent
    assert.equal(pictureIdOf(next), 1005);
    assert.equal(tl0Of(next), 53);
    assert.equal(next[5], 2 << 6, 'the rest of the descriptor is as it came');
  });

  it('wraps picture ids and TL0PICIDX where they wrap', () => {
    const munger = new Vp8Munger();
    munger.rewrite(vp8(0x7fff, 255));
    munger.switchSource();
    const first = sent(munger, vp8(10, 3));
    assert.equal(pictureIdOf(first), 0);
    assert.equal(tl0Of(first), 0);
  });

  it('shifts 7-bit picture ids within 7 bits', () => {
    const munger = new Vp8Munger();
    const short = (id: number) => Buffer.from([0x90, 0x80, id & 0x7f, 0x9d]);
    munger.rewrite(short(127));
    munger.switchSource();
    const first = sent(munger, short(40));
    assert.equal(first[2], 0);
    assert.equal(first.length, 4);
  });

  it('survives garbage: short, cut or random payloads pass without a throw', () => {
    const munger = new Vp8Munger();
    for (let i = 0; i < 5000; i++) {
      const payload = randomBytes(i % 12);
      if (i % 97 === 0) munger.switchSource();
      const head = munger.rewrite(payload);
      assert.ok(!head || head.length <= payload.length);
    }
  });
});
