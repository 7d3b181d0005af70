/**
 * Redundant audio (RFC 2198) for one subscriber: every packet also carries the previous one or
 * two payloads, so a lost packet is rebuilt from the next one that arrives, without waiting a
 * round trip for a retransmission (audio has none). On a long lossy link that is the
 * difference between a gap the listener hears and none: with two copies, a 20 ms frame is
 * lost only when three packets in a row are.
 */
const MAX_DISTANCE = 2;
/** 14-bit timestamp offset and 10-bit length limits of a redundant block header */
const MAX_OFFSET = 0x3fff;
const MAX_BLOCK = 0x3ff;

export class RedPacker {
  /** redundant payloads per packet, 0..2 */
  distance = 1;
  private readonly payloads: (Buffer | undefined)[] = new Array(MAX_DISTANCE).fill(undefined);
  private readonly timestamps = new Array<number>(MAX_DISTANCE).fill(0);
  /** index of the most recent entry in the ring */
  private last = 0;

  /** The RED payload for `payload` (primary type `payloadType`), remembering it for the next. */
  pack(payload: Buffer, timestamp: number, payloadType: number): Buffer {
    const distance = Math.max(0, Math.min(MAX_DISTANCE, this.distance));
    // oldest first, as the receiver expects the blocks in time order
    let size = 1 + payload.length;
    const use: number[] = [];
    for (let back = distance; back >= 1; back--) {
      const i = (this.last - back + 1 + MAX_DISTANCE * 2) % MAX_DISTANCE;
      const old = this.payloads[i];
      if (!old || old.length > MAX_BLOCK) continue;
      const offset = (timestamp - this.timestamps[i]!) >>> 0;
      if (offset === 0 || offset > MAX_OFFSET) continue;
      use.push(i);
      size += 4 + old.length;
    }
    const out = Buffer.allocUnsafe(size);
    let o = 0;
    for (const i of use) {
      const old = this.payloads[i]!;
      const offset = (timestamp - this.timestamps[i]!) >>> 0;
      out[o++] = 0x80 | payloadType;
      // 14-bit offset then 10-bit length, big-endian across three bytes
      out[o++] = (offset >> 6) & 0xff;
      out[o++] = ((offset & 0x3f) << 2) | ((old.length >> 8) & 0x03);
      out[o++] = old.length & 0xff;
    }
    out[o++] = payloadType & 0x7f;
    for (const i of use) o += this.payloads[i]!.copy(out, o);
    payload.copy(out, o);
    this.last = (this.last + 1) % MAX_DISTANCE;
    this.payloads[this.last] = payload;
    this.timestamps[this.last] = timestamp;
    return out;
  }
}
