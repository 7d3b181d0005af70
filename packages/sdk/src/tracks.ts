import type { TrackInfo, TrackKind, TrackSource } from '@liveport/protocol/client';

/** A track someone else publishes, as this client knows it; `mediaStreamTrack` once subscribed. */
export class RemoteTrack {
  mediaStreamTrack?: MediaStreamTrack;
  /** set by the Room: reports how this video is shown (adaptive stream) */
  reportViewport?: (visible: boolean, width: number, height: number) => void;
  private elements = new Set<HTMLMediaElement>();
  private observers: { disconnect(): void }[] = [];
  private viewportTimer?: ReturnType<typeof setTimeout>;

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
    if (this.kind === 'video') this.watchViewport(el);
    return el;
  }

  detach(): HTMLMediaElement[] {
    const els = [...this.elements];
    for (const el of els) el.srcObject = null;
    this.elements.clear();
    for (const o of this.observers) o.disconnect();
    this.observers = [];
    return els;
  }

  /** Follow the element's size and visibility, and report the largest visible one, debounced. */
  private watchViewport(el: HTMLMediaElement): void {
    if (typeof ResizeObserver === 'undefined' || typeof IntersectionObserver === 'undefined') return;
    const visible = new Map<Element, boolean>();
    const report = () => {
      clearTimeout(this.viewportTimer);
      this.viewportTimer = setTimeout(() => {
        let width = 0;
        let height = 0;
        for (const e of this.elements) {
          if (!visible.get(e) || document.visibilityState === 'hidden') continue;
          width = Math.max(width, e.clientWidth * devicePixelRatio);
          height = Math.max(height, e.clientHeight * devicePixelRatio);
        }
        this.reportViewport?.(height > 0, width, height);
      }, 300);
    };
    const resize = new ResizeObserver(report);
    const intersect = new IntersectionObserver((entries) => {
      for (const entry of entries) visible.set(entry.target, entry.isIntersecting);
      report();
    });
    resize.observe(el);
    intersect.observe(el);
    document.addEventListener('visibilitychange', report);
    this.observers.push(resize, intersect, {
      disconnect: () => document.removeEventListener('visibilitychange', report),
    });
  }
}

/** A track this client publishes. */
export class LocalTrack {
  /** simulcast layers the node currently wants sent (dynacast) */
  activeLayers?: string[];

  constructor(
    public info: TrackInfo,
    public mediaStreamTrack: MediaStreamTrack,
    /** replaced when the room reconnects and publishes the track again */
    public transceiver: RTCRtpTransceiver,
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
