import type { TrackInfo, TrackKind, TrackSource } from '@liveport/protocol/client';

/** A track someone else publishes, as this client knows it; `mediaStreamTrack` once subscribed. */
export class RemoteTrack {
  mediaStreamTrack?: MediaStreamTrack;
  private elements = new Set<HTMLMediaElement>();

  constructor(
    public info: TrackInfo,
    readonly participantSid: string,
  ) {}

  get sid(): string {
    return this.info.sid;
  }
  get kind(): TrackKind {
    return this.info.kind;
  }
  get source(): TrackSource {
    return this.info.source;
  }
  get muted(): boolean {
    return this.info.muted;
  }

  /** Play the track in a media element (a new one when none is given). Browser only. */
  attach(element?: HTMLMediaElement): HTMLMediaElement {
    const el = element ?? document.createElement(this.kind === 'video' ? 'video' : 'audio');
    el.autoplay = true;
    if (el instanceof HTMLVideoElement) el.playsInline = true;
    if (this.mediaStreamTrack) el.srcObject = new MediaStream([this.mediaStreamTrack]);
    this.elements.add(el);
    void el.play().catch(() => undefined);
    return el;
  }

  detach(): HTMLMediaElement[] {
    const els = [...this.elements];
    for (const el of els) el.srcObject = null;
    this.elements.clear();
    return els;
  }
}

/** A track this client publishes. */
export class LocalTrack {
  constructor(
    public info: TrackInfo,
    public mediaStreamTrack: MediaStreamTrack,
    readonly transceiver: RTCRtpTransceiver,
  ) {}

  get sender(): RTCRtpSender {
    return this.transceiver.sender;
  }

  get sid(): string {
    return this.info.sid;
  }
  get kind(): TrackKind {
    return this.info.kind;
  }
  get source(): TrackSource {
    return this.info.source;
  }
  get muted(): boolean {
    return this.info.muted;
  }
}
