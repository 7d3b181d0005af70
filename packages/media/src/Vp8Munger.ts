/**
 * The picture numbering in VP8's payload descriptor (RFC 7741: PictureID, TL0PICIDX), kept
 * continuous for one subscriber when the node switches the source underneath it (another
 * simulcast layer, a resumed track), as RtpMunger keeps sequence numbers and timestamps.
 *
 * Each simulcast encoding counts its own pictures. A receiver that sees the numbers jump back
 * and forth at each switch takes the frames of the new source for old ones, or waits for
 * references that never come: libwebrtc then holds every frame after the next lost packet, the
 * repair included, until a keyframe, and a viewer who had switched layers once froze for
 * seconds at a time on a lossy link. Within a source the offsets stay fixed, so its own gaps
 * stay visible.
 *
 * The payload is every subscriber's, so it is never written: what changes is handed on as a
 * new first few bytes (the descriptor up to the numbers), which the sender encrypts in place of
 * the payload's own. A subscriber that never switched costs nothing.
 */
export class Vp8Munger {
  private pictureIdOffset = 0;
  private tl0Offset = 0;
  /** last picture id and TL0PICIDX sent (-1: none yet) */
  private lastPictureId = -1;
  private lastTl0 = -1;
  private switchPending = false;
  /** the rewritten first bytes of the last payload: reused, valid until the next call */
  private readonly head = Buffer.alloc(MAX_HEAD);

  /** The next packet starts a new source; it begins a picture (a keyframe). */
  switchSource(): void {
    this.switchPending = true;
  }

  /**
   * The first bytes to send in place of `payload`'s own (its descriptor with the numbers
   * shifted), or undefined when they stay as they are. Valid until the next call.
   */
  rewrite(payload: Buffer): Buffer | undefined {
    const at = descriptorFields(payload);
    if (!at) return undefined;
    const pictureId = at.pictureId >= 0 ? readPictureId(payload, at) : -1;
    const tl0 = at.tl0 >= 0 ? payload[at.tl0]! : -1;
    if (this.switchPending) {
      this.switchPending = false;
      // the new source's first picture follows the last one sent
      if (pictureId >= 0 && this.lastPictureId >= 0)
        this.pictureIdOffset = mod(this.lastPictureId + 1 - pictureId, at.pictureIdModulo);
      if (tl0 >= 0 && this.lastTl0 >= 0) this.tl0Offset = mod(this.lastTl0 + 1 - tl0, 256);
    }
    const outPictureId = pictureId >= 0 ? mod(pictureId + this.pictureIdOffset, at.pictureIdModulo) : -1;
    const outTl0 = tl0 >= 0 ? mod(tl0 + this.tl0Offset, 256) : -1;
    if (
      outPictureId >= 0 &&
      (this.lastPictureId < 0 || ahead(outPictureId, this.lastPictureId, at.pictureIdModulo))
    )
      this.lastPictureId = outPictureId;
    if (outTl0 >= 0 && (this.lastTl0 < 0 || ahead(outTl0, this.lastTl0, 256))) this.lastTl0 = outTl0;
    if (outPictureId === pictureId && outTl0 === tl0) return undefined;
    const head = this.head.subarray(0, at.end);
    payload.copy(head, 0, 0, at.end);
    if (outPictureId >= 0) writePictureId(head, at, outPictureId);
    if (outTl0 >= 0) head[at.tl0] = outTl0;
    return head;
  }
}

interface Fields {
  /** byte offset of the picture id (-1: none) */
  pictureId: number;
  /** 128 (7-bit) or 32768 (15-bit) */
  pictureIdModulo: number;
  /** byte offset of TL0PICIDX (-1: none) */
  tl0: number;
  /** bytes up to and including the last of them */
  end: number;
}
/** payload descriptor bytes up to TL0PICIDX at most: 2 + 2 + 1 */
const MAX_HEAD = 5;

/** Where the numbers are in a VP8 payload descriptor; undefined when it has neither (or is cut short). */
function descriptorFields(p: Buffer): Fields | undefined {
  if (p.length < 2 || !(p[0]! & 0x80)) return undefined;
  const x = p[1]!;
  let i = 2;
  let pictureId = -1;
  let pictureIdModulo = 128;
  if (x & 0x80) {
    if (p.length <= i) return undefined;
    pictureId = i;
    if (p[i]! & 0x80) {
      pictureIdModulo = 0x8000;
      i += 2;
    } else i += 1;
  }
  let tl0 = -1;
  if (x & 0x40) tl0 = i++;
  if (p.length <= i - 1 || (pictureId < 0 && tl0 < 0)) return undefined;
  if (pictureIdModulo === 0x8000 && p.length < pictureId + 2) return undefined;
  return { pictureId, pictureIdModulo, tl0, end: i };
}

function readPictureId(p: Buffer, at: Fields): number {
  return at.pictureIdModulo === 0x8000
    ? ((p[at.pictureId]! & 0x7f) << 8) | p[at.pictureId + 1]!
    : p[at.pictureId]! & 0x7f;
}

function writePictureId(p: Buffer, at: Fields, id: number): void {
  if (at.pictureIdModulo === 0x8000) {
    p[at.pictureId] = 0x80 | (id >> 8);
    p[at.pictureId + 1] = id & 0xff;
  } else p[at.pictureId] = id & 0x7f;
}

const mod = (n: number, m: number): number => ((n % m) + m) % m;
/** a is newer than b on a circle of m */
const ahead = (a: number, b: number, m: number): boolean => {
  const d = mod(a - b, m);
  return d !== 0 && d < m / 2;
};
