import type { MediaStreamTrack, RTCRtpReceiver, RtpPacket } from 'werift';
import { KeyframeCache } from './KeyframeCache.ts';

/**
 * One encoding of a published track as the node receives it (a simulcast layer, or the only
 * encoding): its SSRC, its keyframe cache, its measured bitrate and its throttled keyframe
 * requests.
 */
export class Layer {
  ssrc?: number;
  readonly keyframeCache: KeyframeCache;
  packetsReceived = 0;
  /** bit/s received over the last measurement window */
  bitrate = 0;
  /** whether the publisher currently sends it (dynacast may pause it) */
  active = true;
  keyframeRequests = 0;
  /** fraction of this layer's packets lost from the publisher over the last window, 0..1 */
  loss = 0;
  private windowBytes = 0;
  private windowStart = performance.now();
  private windowPackets = 0;
  /** extended (wrap-counted) highest sequence number, and its value when the window began */
  private highestSeq = -1;
  private windowFirstSeq = -1;
  private lastKeyframeRequestAt = -Infinity;
  private deferredRequest?: ReturnType<typeof setTimeout>;
  receiver?: RTCRtpReceiver;
  private unsubscribe?: () => void;

  constructor(
    readonly index: number,
    readonly rid: string | undefined,
    readonly width: number,
    readonly height: number,
    readonly maxBitrate: number,
    private readonly keyframeRequestIntervalMs: number,
    keyframeCacheMs = 500,
  ) {
    this.keyframeCache = new KeyframeCache(keyframeCacheMs);
  }

  /** fed in-process (an agent's voice), not from a WebRTC receiver */
  private local = false;

  get bound(): boolean {
    return this.receiver !== undefined || this.local;
  }

  /** Take packets from inside the node: `write` them; they count like received ones. */
  bindLocal(ssrc: number, onRtp: (layer: Layer, rtp: RtpPacket) => void): (rtp: RtpPacket) => void {
    this.local = true;
    this.ssrc = ssrc;
    return (rtp) => {
      this.packetsReceived++;
      this.countSequence(rtp.header.sequenceNumber);
      this.measure(rtp.payload.length + 12);
      onRtp(this, rtp);
    };
  }

  bind(
    track: MediaStreamTrack,
    receiver: RTCRtpReceiver,
    onRtp: (layer: Layer, rtp: RtpPacket) => void,
  ): void {
    this.receiver = receiver;
    this.ssrc = track.ssrc;
    this.unsubscribe = track.onReceiveRtp.subscribe((rtp) => {
      this.packetsReceived++;
      this.ssrc ??= rtp.header.ssrc;
      this.countSequence(rtp.header.sequenceNumber);
      this.measure(rtp.payload.length + 12);
      onRtp(this, rtp);
    }).unSubscribe;
  }

  private countSequence(seq: number): void {
    this.windowPackets++;
    if (this.highestSeq < 0) {
      this.highestSeq = seq;
      this.windowFirstSeq = seq - 1;
      return;
    }
    const base = this.highestSeq & 0xffff;
    let delta = (seq - base) & 0xffff;
    if (delta >= 0x8000) delta -= 0x10000; // older packet (reordered or repaired)
    if (delta > 0) this.highestSeq += delta;
  }

  private measure(bytes: number, now = performance.now()): void {
    this.windowBytes += bytes;
    const elapsed = now - this.windowStart;
    if (elapsed >= 1000) {
      this.bitrate = Math.round((this.windowBytes * 8 * 1000) / elapsed);
      const expected = this.highestSeq - this.windowFirstSeq;
      this.loss = expected > 0 ? Math.max(0, Math.min(1, 1 - this.windowPackets / expected)) : 0;
      this.windowFirstSeq = this.highestSeq;
      this.windowPackets = 0;
      this.windowBytes = 0;
      this.windowStart = now;
    }
  }

  /** Bit/s this layer costs a subscriber: measured when flowing, else the publisher's cap. */
  get cost(): number {
    return this.bitrate || this.maxBitrate || 300_000;
  }

  /**
   * Ask the publisher for a keyframe on this layer (PLI), at most once per interval; a request
   * inside the interval is sent when it ends, because someone is still waiting for a picture.
   */
  requestKeyframe(nowMs = performance.now()): void {
    if (!this.receiver || this.ssrc === undefined) return;
    const wait = this.lastKeyframeRequestAt + this.keyframeRequestIntervalMs - nowMs;
    if (wait > 0) {
      this.deferredRequest ??= setTimeout(() => {
        this.deferredRequest = undefined;
        this.requestKeyframe();
      }, wait);
      return;
    }
    this.lastKeyframeRequestAt = nowMs;
    this.keyframeRequests++;
    this.receiver.sendRtcpPLI(this.ssrc).catch(() => undefined);
  }

  close(): void {
    clearTimeout(this.deferredRequest);
    this.unsubscribe?.();
    this.keyframeCache.clear();
  }
}
