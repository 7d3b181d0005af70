import type { RtpPacket } from 'werift';

/**
 * The packets of a video track since its last keyframe (its current group of pictures), so a
 * new subscriber can be sent a decodable picture at once instead of waiting a round trip for
 * the publisher to make a keyframe. Bounded: a group longer than the bound is forgotten, and
 * new subscribers fall back to a keyframe request.
 */
export class KeyframeCache {
  private packets: RtpPacket[] = [];
  private keyTimestamp = -1;

  constructor(private readonly maxPackets = 600) {}

  /** Feed every packet of the track in arrival order. */
  push(rtp: RtpPacket, keyframe: boolean): void {
    if (keyframe && rtp.header.timestamp !== this.keyTimestamp) {
      this.packets = [rtp];
      this.keyTimestamp = rtp.header.timestamp;
      return;
    }
    if (this.keyTimestamp < 0) return;
    if (this.packets.length >= this.maxPackets) {
      this.clear();
      return;
    }
    this.packets.push(rtp);
  }

  /** The cached group, oldest first; empty when there is none usable. */
  get group(): readonly RtpPacket[] {
    return this.packets;
  }

  clear(): void {
    this.packets = [];
    this.keyTimestamp = -1;
  }
}
