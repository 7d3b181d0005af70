import type { MediaStreamTrack, RTCRtpReceiver, RtpPacket } from 'werift';
import type { TrackInfo, TrackKind, TrackSource } from '@liveport/protocol';
import { isKeyframe } from './keyframe.ts';
import { KeyframeCache } from './KeyframeCache.ts';
import type { DownTrack } from './DownTrack.ts';

export interface PublishRequest {
  kind: TrackKind;
  source: TrackSource;
  name: string;
  muted: boolean;
  width?: number;
  height?: number;
}

/**
 * A track a participant publishes, as the node receives it: the one place its RTP enters and
 * fans out to every subscriber's DownTrack. Keyframe requests from all subscribers meet here
 * and reach the publisher at most once per interval.
 */
export class PublishedTrack {
  readonly kind: TrackKind;
  readonly source: TrackSource;
  readonly name: string;
  muted: boolean;
  mimeType = '';
  clockRate = 90000;
  readonly width?: number;
  readonly height?: number;
  /** packets received from the publisher, for stats and tests */
  packetsReceived = 0;
  private readonly downTracks = new Set<DownTrack>();
  readonly keyframeCache = new KeyframeCache();
  private receiver?: RTCRtpReceiver;
  private mediaSsrc?: number;
  private lastKeyframeRequestAt = -Infinity;
  private deferredKeyframeRequest?: ReturnType<typeof setTimeout>;
  /** PLIs sent to the publisher */
  keyframeRequests = 0;
  private unsubscribeRtp?: () => void;
  private closed = false;

  constructor(
    readonly sid: string,
    readonly publisherSid: string,
    request: PublishRequest,
    private readonly keyframeRequestIntervalMs: number,
  ) {
    this.kind = request.kind;
    this.source = request.source;
    this.name = request.name;
    this.muted = request.muted;
    this.width = request.width;
    this.height = request.height;
  }

  get bound(): boolean {
    return this.receiver !== undefined;
  }

  /** Start receiving media from the publisher's connection. */
  bind(track: MediaStreamTrack, receiver: RTCRtpReceiver): void {
    if (this.closed || this.receiver) return;
    this.receiver = receiver;
    this.mediaSsrc = track.ssrc;
    if (track.codec) {
      this.mimeType = track.codec.mimeType;
      this.clockRate = track.codec.clockRate;
    }
    const { unSubscribe } = track.onReceiveRtp.subscribe((rtp) => this.forward(rtp));
    this.unsubscribeRtp = unSubscribe;
  }

  private forward(rtp: RtpPacket): void {
    this.packetsReceived++;
    if (this.mediaSsrc === undefined) this.mediaSsrc = rtp.header.ssrc;
    if (this.muted) return;
    const keyframe = this.kind === 'video' && isKeyframe(this.mimeType, rtp.payload);
    if (this.kind === 'video') this.keyframeCache.push(rtp, keyframe);
    for (const down of this.downTracks) down.write(rtp, keyframe);
  }

  addDownTrack(down: DownTrack): void {
    // No keyframe request yet: the subscriber cannot receive one before its transport is up.
    // The DownTrack asks once it can send.
    this.downTracks.add(down);
  }

  removeDownTrack(down: DownTrack): void {
    this.downTracks.delete(down);
  }

  get subscriberCount(): number {
    return this.downTracks.size;
  }

  /**
   * Ask the publisher for a keyframe (PLI), at most once per interval so a crowd of subscribers
   * cannot flood it. A request inside the interval is not lost: it is sent when the interval
   * ends, because someone is still waiting for a picture.
   */
  requestKeyframe(nowMs = performance.now()): void {
    if (this.kind !== 'video' || !this.receiver || this.mediaSsrc === undefined || this.closed) return;
    const wait = this.lastKeyframeRequestAt + this.keyframeRequestIntervalMs - nowMs;
    if (wait > 0) {
      this.deferredKeyframeRequest ??= setTimeout(() => {
        this.deferredKeyframeRequest = undefined;
        this.requestKeyframe();
      }, wait);
      return;
    }
    this.lastKeyframeRequestAt = nowMs;
    this.keyframeRequests++;
    this.receiver.sendRtcpPLI(this.mediaSsrc).catch(() => undefined);
  }

  setMuted(muted: boolean): void {
    if (this.muted === muted) return;
    this.muted = muted;
    this.keyframeCache.clear();
    if (!muted) {
      for (const down of this.downTracks) down.resume();
      this.requestKeyframe();
    }
  }

  info(): TrackInfo {
    return {
      sid: this.sid,
      kind: this.kind,
      source: this.source,
      name: this.name,
      muted: this.muted,
      mimeType: this.mimeType,
      width: this.width,
      height: this.height,
    };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.deferredKeyframeRequest);
    this.unsubscribeRtp?.();
    for (const down of [...this.downTracks]) down.close();
    this.downTracks.clear();
  }
}
