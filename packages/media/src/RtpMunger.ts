/**
 * Rewrites RTP sequence numbers and timestamps for one subscriber, so that what the subscriber
 * receives is one continuous stream even when the node switches the source underneath
 * (another simulcast layer, a resumed track, a replaced publisher). Within a source the
 * offsets are fixed, so gaps the publisher had stay visible (the receiver NACKs them); at a
 * switch the next sequence number follows the last one sent and the timestamp advances by the
 * wall time that passed.
 */
export interface RtpHeaderFields {
  sequenceNumber: number;
  timestamp: number;
}

export class RtpMunger {
  private seqOffset = 0;
  private tsOffset = 0;
  private lastSeq = -1;
  private lastTs = 0;
  private lastSentAtMs = 0;
  /** input sequence number that starts the current source; older packets are dropped */
  private firstInSeq = -1;
  private switchPending = true;

  constructor(private readonly clockRate: number) {}

  /** The next packet starts a new source (layer switch, resume after pause). */
  switchSource(): void {
    this.switchPending = true;
  }

  /**
   * Map one packet's fields into the subscriber's numbering. Returns false when the packet
   * must not be sent: it is older than the start of the current source.
   */
  rewrite(header: RtpHeaderFields, nowMs: number): boolean {
    if (this.switchPending) {
      this.switchPending = false;
      this.firstInSeq = header.sequenceNumber;
      if (this.lastSeq >= 0) {
        const elapsedTicks = Math.max(1, Math.round(((nowMs - this.lastSentAtMs) * this.clockRate) / 1000));
        this.seqOffset = u16(this.lastSeq + 1 - header.sequenceNumber);
        this.tsOffset = u32(this.lastTs + elapsedTicks - header.timestamp);
      }
    } else if (seqDiff(header.sequenceNumber, this.firstInSeq) < 0) {
      return false;
    }
    const seq = u16(header.sequenceNumber + this.seqOffset);
    const ts = u32(header.timestamp + this.tsOffset);
    if (this.lastSeq < 0 || seqDiff(seq, this.lastSeq) > 0) {
      this.lastSeq = seq;
      this.lastTs = ts;
      this.lastSentAtMs = nowMs;
    }
    header.sequenceNumber = seq;
    header.timestamp = ts;
    return true;
  }
}

const u16 = (n: number): number => ((n % 0x10000) + 0x10000) % 0x10000;
const u32 = (n: number): number => ((n % 0x100000000) + 0x100000000) % 0x100000000;

/** a - b in sequence-number space: positive when a is newer. */
export function seqDiff(a: number, b: number): number {
  const d = (a - b) & 0xffff;
  return d >= 0x8000 ? d - 0x10000 : d;
}
