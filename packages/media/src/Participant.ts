import type {
  RTCDataChannel,
  RTCPeerConnection,
  RTCRtpTransceiver,
  MediaStreamTrack,
  RtpPacket,
} from 'werift';
import {
  ErrorCode,
  LiveportError,
  TypedEmitter,
  type IceCandidate,
  type LossyDataFrame,
  type ParticipantInfo,
  type PeerTarget,
  type ServerMessage,
  type TrackSource,
} from '@liveport/protocol';
import {
  candidatesFor,
  createPeerConnection,
  declareIceLite,
  leadDtls,
  nameRepairedTracks,
  toWeriftCandidate,
} from './PeerTransport.ts';
import { DownTrack } from './DownTrack.ts';
import { PublishedTrack, type PublishRequest } from './PublishedTrack.ts';
import type { MediaConfig } from './MediaConfig.ts';
import { newSid } from './sid.ts';
import { PublisherBandwidth, sendRemb } from './PublisherBandwidth.ts';
import { DownlinkBandwidth } from './DownlinkBandwidth.ts';
import { measuredRoundTrip } from './dtlsFastHandshake.ts';

export interface ParticipantPermissions {
  subscribe: boolean;
  publish: TrackSource[];
  publishData: boolean;
}

export interface ParticipantEvents {
  [event: string]: unknown[];
  trackPublished: [PublishedTrack];
  lossyData: [Omit<LossyDataFrame, 'from' | 'fromSid'>];
  transportFailed: [PeerTarget];
}

const MAX_TRACKS_PER_PARTICIPANT = 8;
const LOSSY_LABEL = 'lossy';

/**
 * Someone in a room: their two WebRTC connections, the tracks they publish, and the tracks
 * they receive. Talks to its client only through `signal`, so the node decides the transport.
 */
export class Participant extends TypedEmitter<ParticipantEvents> {
  readonly sid = newSid('PA');
  readonly joinedAt = Date.now();
  lastSeenMs = Date.now();
  readonly published = new Map<string, PublishedTrack>();
  readonly downTracks = new Map<string, DownTrack>();
  private publisher?: RTCPeerConnection;
  /** absent for a local participant (inside the node), which has no transport */
  private readonly subscriber?: RTCPeerConnection;
  private readonly lossyOut?: RTCDataChannel;
  private negotiating = false;
  private negotiationQueued = false;
  private negotiationTimer?: ReturnType<typeof setTimeout>;
  private readonly uplink = new PublisherBandwidth();
  /** this participant's subscriber link, judged from its transport-wide feedback */
  readonly downlink = new DownlinkBandwidth();
  private rembTimer?: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(
    readonly identity: string,
    public name: string,
    readonly metadata: string,
    readonly permissions: ParticipantPermissions,
    private readonly config: MediaConfig,
    readonly signal: (msg: ServerMessage) => void,
    /** a participant that lives inside the node (the voice agent): no WebRTC, tracks in-process */
    readonly local = false,
  ) {
    super();
    if (local) return;
    const subscriber = (this.subscriber = createPeerConnection(config, 'subscriber'));
    this.downlink.roundTrip = () => measuredRoundTrip(subscriber);
    this.lossyOut = this.subscriber.createDataChannel(LOSSY_LABEL, { ordered: false, maxRetransmits: 0 });
    this.watchConnection(this.subscriber, 'subscriber');
    // Connect the subscriber transport at once: tracks added later only renegotiate.
    this.scheduleNegotiation();
  }

  info(): ParticipantInfo {
    return {
      sid: this.sid,
      identity: this.identity,
      name: this.name,
      metadata: this.metadata,
      joinedAt: this.joinedAt,
      tracks: [...this.published.values()].filter((t) => t.bound).map((t) => t.info()),
      canPublish: this.permissions.publish.length > 0,
    };
  }

  // ---- publishing -----------------------------------------------------------------------------

  /** Approve a track before its m-line arrives in an offer; refuses sources the grants do not name. */
  requestPublish(request: PublishRequest): PublishedTrack {
    if (!this.permissions.publish.includes(request.source)) {
      throw new LiveportError(ErrorCode.GRANT_MISSING, `token does not allow publishing ${request.source}`);
    }
    if (this.published.size >= MAX_TRACKS_PER_PARTICIPANT) {
      throw new LiveportError(
        ErrorCode.TRACK_LIMIT,
        `at most ${MAX_TRACKS_PER_PARTICIPANT} tracks per participant`,
      );
    }
    const track = new PublishedTrack(newSid('TR'), this.sid, request, this.config);
    track.onWantedLayers((rids) => this.signal({ type: 'layers_wanted', trackSid: track.sid, rids }));
    this.published.set(track.sid, track);
    return track;
  }

  /**
   * Publish a track produced inside the node (only a local participant does). Returns the
   * track and its writer: every RTP packet written reaches the subscribers.
   */
  publishLocal(
    request: PublishRequest,
    codec: { mimeType: string; clockRate: number },
    ssrc: number,
  ): { track: PublishedTrack; write: (rtp: RtpPacket) => void } {
    if (!this.local)
      throw new LiveportError(ErrorCode.BAD_REQUEST, 'only a local participant publishes in-process');
    const track = this.requestPublish(request);
    const write = track.bindLocal(codec.mimeType, codec.clockRate, ssrc);
    this.emit('trackPublished', track);
    return { track, write };
  }

  /** The client's publisher offer: answer it and start receiving the tracks it maps. */
  async handlePublisherOffer(sdp: string, mids: Record<string, string>): Promise<string> {
    for (const trackSid of Object.values(mids)) {
      if (!this.published.has(trackSid)) {
        throw new LiveportError(
          ErrorCode.TRACK_NOT_FOUND,
          `offer maps an m-line to unknown track ${trackSid}`,
        );
      }
    }
    if (!this.publisher) {
      this.publisher = createPeerConnection(this.config, 'publisher');
      this.watchConnection(this.publisher, 'publisher');
      this.publisher.onDataChannel.subscribe((channel) => this.acceptLossyChannel(channel));
      this.rembTimer = setInterval(() => this.reportUplink(), 1000);
      this.rembTimer.unref();
    }
    const pc = this.publisher;
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
    } catch (err) {
      throw new LiveportError(
        ErrorCode.NEGOTIATION_FAILED,
        `publisher offer rejected: ${(err as Error).message}`,
      );
    }
    for (const transceiver of pc.getTransceivers()) {
      const trackSid = transceiver.mid !== null ? mids[transceiver.mid] : undefined;
      const track = trackSid ? this.published.get(trackSid) : undefined;
      if (!track || track.bound || track.kind !== transceiver.kind) continue;
      this.bindWhenTrackArrives(track, transceiver);
    }
    return declareIceLite(candidatesFor(pc.localDescription?.sdp ?? '', this.config));
  }

  /** Bind every encoding (one, or one per simulcast rid) as it appears on the transceiver. */
  private bindWhenTrackArrives(track: PublishedTrack, transceiver: RTCRtpTransceiver): void {
    const bind = (remote: MediaStreamTrack) => {
      if (!this.published.has(track.sid)) return;
      if (!track.mimeType) {
        const codec = remote.codec ?? transceiver.codecs[0];
        if (codec) {
          track.mimeType = codec.mimeType;
          track.clockRate = codec.clockRate;
        }
      }
      const first = !track.bound;
      if (track.bind(remote, transceiver.receiver) && first) this.emit('trackPublished', track);
    };
    for (const remote of transceiver.receiver.tracks) bind(remote);
    transceiver.onTrack.subscribe((remote) => bind(remote));
  }

  /** Adaptive stream: the size and visibility of this subscriber's player for a track. */
  setTrackSettings(trackSid: string, visible: boolean, height: number): void {
    const down = this.downTracks.get(trackSid);
    if (!down) throw new LiveportError(ErrorCode.TRACK_NOT_FOUND, `not subscribed to ${trackSid}`);
    down.setViewport(visible, height);
  }

  /** Tell the publisher, per REMB, how fast it may send its video. */
  private reportUplink(): void {
    let bitrate = 0;
    let lost = 0;
    const ssrcs: number[] = [];
    let receiver;
    for (const track of this.published.values()) {
      if (track.kind !== 'video') continue;
      for (const layer of track.layers) {
        if (layer.ssrc === undefined || !layer.receiver) continue;
        ssrcs.push(layer.ssrc);
        bitrate += layer.bitrate;
        lost += layer.loss * layer.bitrate;
        receiver = layer.receiver;
      }
    }
    if (!receiver || ssrcs.length === 0) return;
    const estimate = this.uplink.update(bitrate, bitrate > 0 ? lost / bitrate : 0, 1000);
    sendRemb(receiver, ssrcs, estimate);
  }

  get uplinkEstimate(): number {
    return this.uplink.estimate;
  }

  /** the node's transport-wide-feedback estimate of what reaches this participant, bit/s */
  get downlinkEstimate(): number {
    return this.downlink.estimator.estimateBps;
  }

  unpublish(trackSid: string): PublishedTrack {
    const track = this.published.get(trackSid);
    if (!track) throw new LiveportError(ErrorCode.TRACK_NOT_FOUND, `no track ${trackSid}`);
    this.published.delete(trackSid);
    track.close();
    return track;
  }

  private acceptLossyChannel(channel: RTCDataChannel): void {
    if (channel.label !== LOSSY_LABEL) return;
    channel.onMessage.subscribe((data) => {
      this.lastSeenMs = Date.now();
      if (!this.permissions.publishData) return;
      const text = typeof data === 'string' ? data : data.toString('utf8');
      if (text.length > 70_000) return;
      try {
        const frame = JSON.parse(text) as Partial<LossyDataFrame>;
        if (typeof frame.payload !== 'string') return;
        const to = Array.isArray(frame.to)
          ? frame.to.filter((v): v is string => typeof v === 'string')
          : undefined;
        this.emit('lossyData', {
          payload: frame.payload,
          binary: frame.binary === true,
          topic: typeof frame.topic === 'string' ? frame.topic.slice(0, 128) : undefined,
          to,
        });
      } catch {
        // lossy channel: a malformed frame is dropped like a lost one
      }
    });
  }

  /** Deliver lossy data to this participant; returns false when the channel is not open yet. */
  sendLossy(frame: LossyDataFrame): boolean {
    if (this.lossyOut?.readyState !== 'open') return false;
    try {
      this.lossyOut.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  // ---- subscribing ----------------------------------------------------------------------------

  subscribe(track: PublishedTrack): void {
    // a local participant hears tracks through PublishedTrack.tap, by its own choice
    if (!this.subscriber || this.closed || this.downTracks.has(track.sid) || !this.permissions.subscribe)
      return;
    const transceiver = this.subscriber.addTransceiver(track.kind, { direction: 'sendonly' });
    const codecs = this.subscriber.config.codecs[track.kind] ?? [];
    const mime = track.mimeType.toLowerCase();
    // Opus may go out RED-wrapped: offer that first, plain Opus for clients without RED
    const same = codecs.filter(
      (c) =>
        c.mimeType.toLowerCase() === mime ||
        (mime === 'audio/opus' && c.mimeType.toLowerCase() === 'audio/red'),
    );
    // and the retransmission formats paired with them (apt), so NACKs are answered as RTX
    const chosen = new Set(same.map((c) => c.payloadType));
    const repair = codecs.filter(
      (c) =>
        c.mimeType.toLowerCase() === 'video/rtx' &&
        chosen.has(Number(/apt=(\d+)/.exec(c.parameters ?? '')?.[1])),
    );
    if (same.length) transceiver.setCodecPreferences([...same, ...repair]);
    this.downTracks.set(track.sid, new DownTrack(track, transceiver, this.sid, this.downlink));
    this.scheduleNegotiation();
  }

  unsubscribe(trackSid: string): void {
    const down = this.downTracks.get(trackSid);
    if (!down) return;
    this.downTracks.delete(trackSid);
    down.close();
    if (!this.closed) {
      try {
        this.subscriber?.removeTrack(down.transceiver.sender);
      } catch {
        // already stopped by the transport
      }
      this.scheduleNegotiation();
    }
  }

  /** Batch changes made in the same moment into one offer. */
  private scheduleNegotiation(): void {
    if (this.closed || this.negotiationTimer) return;
    this.negotiationTimer = setTimeout(() => {
      this.negotiationTimer = undefined;
      void this.negotiate();
    }, 0);
  }

  private async negotiate(): Promise<void> {
    if (this.closed || !this.subscriber) return;
    if (this.negotiating) {
      this.negotiationQueued = true;
      return;
    }
    this.negotiating = true;
    try {
      leadDtls(this.subscriber);
      const offer = await this.subscriber.createOffer();
      await this.subscriber.setLocalDescription(offer);
      if (this.closed) return;
      const tracks: Record<string, { trackSid: string; participantSid: string }> = {};
      for (const down of this.downTracks.values()) {
        const mid = down.transceiver.mid;
        if (mid !== null) tracks[mid] = { trackSid: down.track.sid, participantSid: down.track.publisherSid };
      }
      const sdp = nameRepairedTracks(
        declareIceLite(candidatesFor(this.subscriber.localDescription?.sdp ?? '', this.config)),
      );
      this.signal({ type: 'offer', sdp, tracks });
    } catch (err) {
      this.negotiating = false;
      console.error(`subscriber negotiation for ${this.identity} failed`, err);
    }
  }

  /** The client's answer to the node's subscriber offer. */
  async handleSubscriberAnswer(sdp: string): Promise<void> {
    if (!this.negotiating || !this.subscriber) {
      throw new LiveportError(ErrorCode.NEGOTIATION_FAILED, 'no subscriber offer is waiting for an answer');
    }
    try {
      await this.subscriber.setRemoteDescription({ type: 'answer', sdp });
    } catch (err) {
      throw new LiveportError(
        ErrorCode.NEGOTIATION_FAILED,
        `subscriber answer rejected: ${(err as Error).message}`,
      );
    } finally {
      this.negotiating = false;
    }
    if (this.negotiationQueued) {
      this.negotiationQueued = false;
      this.scheduleNegotiation();
    }
  }

  async addIceCandidate(target: PeerTarget, candidate: IceCandidate | null): Promise<void> {
    const pc = target === 'publisher' ? this.publisher : this.subscriber;
    const init = toWeriftCandidate(candidate);
    if (!pc || !init) return;
    await pc.addIceCandidate(init).catch(() => undefined);
  }

  private watchConnection(pc: RTCPeerConnection, role: PeerTarget): void {
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'failed') this.emit('transportFailed', role);
    });
    if (role === 'subscriber')
      pc.iceConnectionStateChange.subscribe((state) => {
        // The DTLS handshake still takes a round trip or two: have the keyframe made now, so
        // it waits in the cache when the first packet can go, instead of being asked for then.
        if (state === 'connected') for (const down of this.downTracks.values()) down.prepareStart();
      });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.negotiationTimer);
    clearInterval(this.rembTimer);
    for (const down of this.downTracks.values()) down.close();
    this.downTracks.clear();
    this.downlink.close();
    for (const track of this.published.values()) track.close();
    this.published.clear();
    void this.subscriber?.close().catch(() => undefined);
    void this.publisher?.close().catch(() => undefined);
    this.removeAllListeners();
  }
}
