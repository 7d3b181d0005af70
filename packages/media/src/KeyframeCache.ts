import type { RtpPacket } from 'werift';

/**
 * The packets of a video track since its last keyframe (its current group of pictures), so a
 * new subscriber can be sent a decodable picture at once instead of waiting a round trip for
 * the publisher to make a keyframe. Only a young group is kept: sending seconds of video in
 * one burst to a new subscriber overflows queues on its path, and the losses then cost more
 * than the keyframe request it saved (the publisher's link is usually the short one).
 */
export class KeyframeCache {
  private packets: RtpPacket[] = [];
  private keyTimestamp = -1;
  /** when the group's keyframe arrived (performance.now) */
  private startedAt = 0;
  private readonly maxTicks: number;

  /** `maxAgeMs`: a group older than this is a burst the subscriber's link would drop */
  constructor(
    readonly maxAgeMs = 500,
    clockRate = 90000,
    private readonly maxPackets = 300,
  ) {
    this.maxTicks = (clockRate * maxAgeMs) / 1000;
  }

  /** Feed every packet of the track in arrival order. */
  push(rtp: RtpPacket, keyframe: boolean): void {
    if (keyframe && rtp.header.timestamp !== this.keyTimestamp) {
      this.packets = [rtp];
      this.keyTimestamp = rtp.header.timestamp;
      this.startedAt = performance.now();
      return;
    }
    if (this.keyTimestamp < 0) return;
    const age = (rtp.header.timestamp - this.keyTimestamp) >>> 0;
    if (this.packets.length >= this.maxPackets || (age > this.maxTicks && age < 0x80000000)) {
      this.clear();
      return;
    }
    this.packets.push(rtp);
  }

  /** The cached group, oldest first; empty when there is none usable. */
  get group(): readonly RtpPacket[] {
    return this.packets;
  }

  /** ms since the cached group's keyframe arrived; Infinity when there is none */
  get ageMs(): number {
    return this.packets.length ? performance.now() - this.startedAt : Infinity;
  }

  clear(): void {
    this.packets = [];
    this.keyTimestamp = -1;
  }
}
