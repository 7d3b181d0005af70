import type { MediaStreamTrack, RTCRtpReceiver, RtpPacket } from 'werift';
import type { TrackInfo, TrackKind, TrackSource, VideoLayer } from '@liveport/protocol';
import { isKeyframe } from './keyframe.ts';
import { fanOutQueue, type FanOutTarget } from './FanOutQueue.ts';
import { Layer } from './Layer.ts';
import type { DownTrack } from './DownTrack.ts';

export interface PublishRequest {
  kind: TrackKind;
  source: TrackSource;
  name: string;
  muted: boolean;
  width?: number;
  height?: number;
  /** simulcast encodings, lowest first */
  layers?: VideoLayer[];
}

/**
 * A track a participant publishes, as the node receives it: the one place its RTP enters
 * (one Layer per simulcast encoding) and fans out to every subscriber's DownTrack.
 */
export class PublishedTrack implements FanOutTarget {
  readonly kind: TrackKind;
  readonly source: TrackSource;
  readonly name: string;
  muted: boolean;
  mimeType = '';
  clockRate = 90000;
  readonly width?: number;
  readonly height?: number;
  readonly layers: Layer[];
  private readonly downTracks = new Set<DownTrack>();
  /** in-process listeners (an agent hearing the customer): every packet, as received */
  private readonly taps = new Set<(rtp: RtpPacket) => void>();
  private wantedChanged?: (rids: string[]) => void;
  private wantedRids = '';
  private closed = false;

  constructor(
    readonly sid: string,
    readonly publisherSid: string,
    private readonly request: PublishRequest,
    {
      keyframeRequestIntervalMs,
      keyframeCacheMs,
    }: { keyframeRequestIntervalMs: number; keyframeCacheMs: number },
  ) {
    this.kind = request.kind;
    this.source = request.source;
    this.name = request.name;
    this.muted = request.muted;
    this.width = request.width;
    this.height = request.height;
    const declared = request.kind === 'video' && request.layers?.length ? request.layers : undefined;
    this.layers = declared
      ? declared.map(
          (l, i) =>
            new Layer(i, l.rid, l.width, l.height, l.maxBitrate, keyframeRequestIntervalMs, keyframeCacheMs),
        )
      : [
          new Layer(
            0,
            undefined,
            request.width ?? 0,
            request.height ?? 0,
            0,
            keyframeRequestIntervalMs,
            keyframeCacheMs,
          ),
        ];
  }

  get simulcast(): boolean {
    return this.layers.length > 1;
  }

  get bound(): boolean {
    return this.layers.some((l) => l.bound);
  }

  layerByRid(rid: string | undefined): Layer | undefined {
    return this.simulcast ? this.layers.find((l) => l.rid === rid) : this.layers[0];
  }

  /** Start receiving one encoding from the publisher's connection. */
  bind(track: MediaStreamTrack, receiver: RTCRtpReceiver): boolean {
    const layer = this.layerByRid(track.rid);
    if (this.closed || !layer || layer.bound) return false;
    if (track.codec && !this.mimeType) {
      this.mimeType = track.codec.mimeType;
      this.clockRate = track.codec.clockRate;
    }
    layer.bind(track, receiver, (l, rtp) => this.forward(l, rtp));
    return true;
  }

  /**
   * An encoding produced inside the node (the voice agent's speech). Returns the writer: each
   * packet written goes to every subscriber as if it had arrived from a client.
   */
  bindLocal(mimeType: string, clockRate: number, ssrc: number): (rtp: RtpPacket) => void {
    this.mimeType = mimeType;
    this.clockRate = clockRate;
    return this.layers[0]!.bindLocal(ssrc, (l, rtp) => this.forward(l, rtp));
  }

  /** Hear this track inside the node, without a transport; returns the unsubscribe. */
  tap(listener: (rtp: RtpPacket) => void): () => void {
    this.taps.add(listener);
    return () => this.taps.delete(listener);
  }

  private forward(layer: Layer, rtp: RtpPacket): void {
    if (this.muted) return;
    for (const tap of this.taps) {
      // an in-process listener (the voice agent, a recorder) that fails must not stop the call
      try {
        tap(rtp);
      } catch (err) {
        this.taps.delete(tap);
        console.error(`track ${this.sid}: a listener failed and was removed`, err);
      }
    }
    const keyframe = this.kind === 'video' && isKeyframe(this.mimeType, rtp.payload);
    if (this.kind === 'video') layer.keyframeCache.push(rtp, keyframe);
    // subscribers get it from the fan-out queue, after the sockets have been read
    if (this.downTracks.size) fanOutQueue.push(this, rtp, layer.index, keyframe);
  }

  /** Called by the fan-out queue: the packet to every subscriber. */
  deliver(rtp: RtpPacket, layer: number, keyframe: boolean): void {
    if (this.muted || this.closed) return;
    for (const down of this.downTracks) down.write(rtp, layer, keyframe);
  }

  addDownTrack(down: DownTrack): void {
    // No keyframe request yet: the subscriber cannot receive one before its transport is up.
    // The DownTrack asks once it can send.
    this.downTracks.add(down);
    this.updateWantedLayers();
  }

  removeDownTrack(down: DownTrack): void {
    this.downTracks.delete(down);
    this.updateWantedLayers();
  }

  get subscriberCount(): number {
    return this.downTracks.size;
  }

  /** PLIs sent to the publisher, all layers */
  get keyframeRequests(): number {
    return this.layers.reduce((n, l) => n + l.keyframeRequests, 0);
  }

  get packetsReceived(): number {
    return this.layers.reduce((n, l) => n + l.packetsReceived, 0);
  }

  requestKeyframe(layerIndex = 0): void {
    if (this.kind !== 'video' || this.closed) return;
    this.layers[layerIndex]?.requestKeyframe();
  }

  /** Dynacast: tell the publisher (through `onWantedLayers`) which layers anyone needs. */
  onWantedLayers(listener: (rids: string[]) => void): void {
    this.wantedChanged = listener;
  }

  updateWantedLayers(): void {
    if (!this.simulcast || this.closed) return;
    let highest = -1;
    for (const down of this.downTracks) highest = Math.max(highest, down.neededLayer);
    // Keep the lowest layer flowing even with nobody watching: a new viewer starts at once.
    const rids = this.layers.filter((l) => l.index <= Math.max(0, highest)).map((l) => l.rid!);
    const key = rids.join(',');
    if (key === this.wantedRids) return;
    this.wantedRids = key;
    for (const l of this.layers) l.active = rids.includes(l.rid!);
    this.wantedChanged?.(rids);
  }

  setMuted(muted: boolean): void {
    if (this.muted === muted) return;
    this.muted = muted;
    for (const l of this.layers) l.keyframeCache.clear();
    if (!muted) for (const down of this.downTracks) down.resume();
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
      ...(this.simulcast && { layers: this.request.layers }),
    };
  }

  close(): void {
    this.closed = true;
    this.taps.clear();
    for (const l of this.layers) l.close();
    for (const down of [...this.downTracks]) down.close();
    this.downTracks.clear();
  }
}
