import {
  ErrorCode,
  LiveportError,
  PROTOCOL_VERSION,
  TypedEmitter,
  type LeaveReason,
  type LossyDataFrame,
  type ParticipantInfo,
  type RoomInfo,
  type ServerMessage,
  type TrackInfo,
  type TrackSource,
  type VideoLayer,
} from '@liveport/protocol/client';
import { RECONNECTING_CLOSE, SignalClient, type WebSocketLike } from './SignalClient.ts';
import { RemoteParticipant } from './Participant.ts';
import { LocalTrack, RemoteTrack } from './tracks.ts';
import { summarizeStats, type ConnectionStats } from './stats.ts';

export interface RoomEvents {
  [event: string]: unknown[];
  participantJoined: [RemoteParticipant];
  participantLeft: [RemoteParticipant, LeaveReason];
  participantUpdated: [RemoteParticipant];
  trackPublished: [RemoteTrack, RemoteParticipant];
  trackUnpublished: [RemoteTrack, RemoteParticipant];
  /** media of a remote track is flowing to this client */
  trackSubscribed: [RemoteTrack, RemoteParticipant];
  trackMuted: [RemoteTrack | LocalTrack, boolean];
  /** a moderator muted (or unmuted) one of this client's tracks */
  muteRequested: [LocalTrack, boolean];
  dataReceived: [DataPacket];
  /** the signaling connection dropped; the room is being joined again (media may pause) */
  reconnecting: [];
  /** joined again: tracks republished, remote tracks subscribed afresh (trackSubscribed again) */
  reconnected: [];
  disconnected: [LeaveReason | 'signal_closed'];
}

export interface DataPacket {
  from: string;
  fromSid: string;
  /** text as sent, or the bytes when sent as binary */
  payload: string | Uint8Array;
  topic?: string;
  reliable: boolean;
}

export interface ConnectOptions {
  /** WebSocket implementation; the global one by default (pass `ws` in Node). */
  WebSocket?: WebSocketLike;
  /** RTCPeerConnection implementation; the global one by default (pass @roamhq/wrtc's in Node). */
  RTCPeerConnection?: typeof RTCPeerConnection;
  iceServers?: RTCIceServer[];
  /** Must match the token's room when given. */
  room?: string;
  /**
   * Join again, republishing, when the signaling connection drops without a close (a network
   * change, a tunnel), for as long as the node keeps the participant. Default true.
   */
  reconnect?: boolean;
}

export interface PublishOptions {
  source?: TrackSource;
  name?: string;
  muted?: boolean;
  /** Preferred video codec; the browser's default order otherwise. Subscribers get the same. */
  videoCodec?: 'vp8' | 'h264';
  /**
   * Send the camera as several encodings so each viewer gets what its screen and link can
   * take: 3 layers from 540p up, 2 from 270p. Worth it with several viewers (live rooms);
   * a 1:1 call does better with one encoding. Off by default.
   */
  simulcast?: boolean;
  /** The track's size when the track cannot tell (Node sources). */
  dimensions?: { width: number; height: number };
}

/** Simulcast ladder, lowest first: resolution divisor and bitrate cap (bit/s) at 720p. */
const LADDER = [
  { rid: 'q', scale: 4, maxBitrate: 150_000 },
  { rid: 'h', scale: 2, maxBitrate: 500_000 },
  { rid: 'f', scale: 1, maxBitrate: 1_700_000 },
];

function simulcastLayers(width: number, height: number): VideoLayer[] {
  const ladder = height >= 540 ? LADDER : height >= 270 ? LADDER.slice(1) : [];
  const pixels = (width * height) / (1280 * 720);
  return ladder.map((l, i) => {
    const scale = ladder.length === 2 ? [2, 1][i]! : l.scale;
    return {
      rid: l.rid,
      width: Math.round(width / scale),
      height: Math.round(height / scale),
      maxBitrate: Math.max(100_000, Math.round(l.maxBitrate * Math.min(1, pixels * 1.3))),
    };
  });
}

export interface SendDataOptions {
  /** default true: ordered and acknowledged; false: may be dropped, never delays */
  reliable?: boolean;
  /** identities to send to; default everyone else */
  to?: string[];
  topic?: string;
}

/**
 * A connection to a Liveport room: `Room.connect(url, token)`, then publish, subscribe (remote
 * tracks arrive on their own), send data and leave. Everything the node announces is an event.
 */
export class Room extends TypedEmitter<RoomEvents> {
  readonly participants = new Map<string, RemoteParticipant>();
  readonly localTracks = new Map<string, LocalTrack>();
  info!: RoomInfo;
  localParticipant!: ParticipantInfo;
  /** last signaling round trip in milliseconds */
  signalRttMs?: number;
  private readonly signal: SignalClient;
  private readonly PC: typeof RTCPeerConnection;
  private subscriber?: RTCPeerConnection;
  private publisher?: RTCPeerConnection;
  private lossyOut?: RTCDataChannel;
  private midToTrack: Record<string, { trackSid: string; participantSid: string }> = {};
  private pendingStreams = new Map<string, MediaStreamTrack>();
  private negotiation: Promise<void> = Promise.resolve();
  private pingTimer?: ReturnType<typeof setInterval>;
  private cidCounter = 0;
  private closed = false;
  private url = '';
  private token = '';
  private graceMs = 0;
  private reconnecting = false;
  /** what each local track was published with, to publish it again after a reconnect */
  private readonly publishedWith = new Map<LocalTrack, PublishOptions>();

  private constructor(private readonly options: ConnectOptions) {
    super();
    const WS = options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketLike);
    this.PC = options.RTCPeerConnection ?? globalThis.RTCPeerConnection;
    if (!WS || !this.PC) throw new Error('WebSocket and RTCPeerConnection are required (pass them in Node)');
    this.signal = new SignalClient(WS);
  }

  /** Join the room the token names. Resolves once joined; media connects in the background. */
  static async connect(url: string, token: string, options: ConnectOptions = {}): Promise<Room> {
    const room = new Room(options);
    try {
      await room.join(url, token);
    } catch (err) {
      room.signal.close();
      throw err;
    }
    return room;
  }

  private async join(url: string, token: string): Promise<void> {
    this.url = url;
    this.token = token;
    this.signal.on('message', (m) => this.onSignal(m));
    this.signal.on('close', () => this.onSignalLost());
    await this.signal.open(this.signalUrl);
    const joined = await this.requestJoin();
    this.joined(joined);
    for (const p of joined.participants) this.participants.set(p.sid, new RemoteParticipant(p));
  }

  private get signalUrl(): string {
    return this.url.replace(/^http/, 'ws').replace(/\/$/, '') + '/rtc';
  }

  /** The subscriber offer can arrive right behind `joined`: state is set before it is read. */
  private requestJoin(): Promise<Extract<ServerMessage, { type: 'joined' }>> {
    return this.signal.request<'joined'>({
      type: 'join',
      token: this.token,
      protocol: PROTOCOL_VERSION,
      ...(this.options.room !== undefined && { room: this.options.room }),
    });
  }

  private joined(joined: Extract<ServerMessage, { type: 'joined' }>): void {
    this.info = joined.room;
    this.localParticipant = joined.participant;
    this.graceMs = this.options.reconnect === false ? 0 : (joined.reconnectGraceSec ?? 0) * 1000;
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => void this.ping(), joined.pingIntervalSec * 1000);
  }

  private async ping(): Promise<void> {
    const t = Date.now();
    try {
      await this.signal.request<'pong'>({ type: 'ping', t }, 5000);
      this.signalRttMs = Date.now() - t;
    } catch {
      // No answer: the connection is dead even if no close came (a dropped link sends none).
      if (!this.closed && !this.reconnecting) this.signal.close(RECONNECTING_CLOSE);
    }
  }

  // ---- reconnecting -----------------------------------------------------------------------------

  private onSignalLost(): void {
    if (this.closed || this.reconnecting) return;
    if (this.graceMs <= 0) return this.teardown('signal_closed');
    void this.reconnect();
  }

  /**
   * Join the room again with the same token while the node still keeps this participant (the
   * node hands the place over: same identity), on new connections, and publish the same tracks
   * again. Remote participants are reconciled with the node's list, and their tracks arrive
   * on the new subscriber connection as `trackSubscribed` again.
   */
  private async reconnect(): Promise<void> {
    this.reconnecting = true;
    clearInterval(this.pingTimer);
    this.emit('reconnecting');
    const deadline = Date.now() + this.graceMs;
    for (let wait = 250; !this.closed && Date.now() < deadline; wait = Math.min(wait * 2, 4000)) {
      // new connections for the new participant; the old ones belong to the one being replaced
      this.resetConnections();
      try {
        await this.signal.open(this.signalUrl, Math.max(1000, Math.min(5000, deadline - Date.now())));
        const joined = await this.requestJoin();
        if (this.closed) return;
        this.joined(joined);
        this.reconcile(joined.participants);
        await this.republish();
        this.reconnecting = false;
        this.emit('reconnected');
        return;
      } catch (err) {
        // a refusal (token expired, room gone) will not change by trying again
        if (err instanceof LiveportError && err.code !== ErrorCode.INTERNAL) break;
        this.signal.close(RECONNECTING_CLOSE);
        await new Promise((r) => setTimeout(r, Math.max(0, Math.min(wait, deadline - Date.now()))));
      }
    }
    this.reconnecting = false;
    this.teardown('signal_closed');
  }

  private resetConnections(): void {
    this.publisher?.close();
    this.subscriber?.close();
    this.publisher = undefined;
    this.subscriber = undefined;
    this.lossyOut = undefined;
    this.midToTrack = {};
    this.pendingStreams.clear();
    this.negotiation = Promise.resolve();
  }

  /** The node's list after joining again: who left meanwhile, who came, which tracks changed. */
  private reconcile(now: ParticipantInfo[]): void {
    const fresh = new Map(now.map((p) => [p.sid, p]));
    for (const p of [...this.participants.values()]) {
      if (fresh.has(p.sid)) continue;
      this.participants.delete(p.sid);
      for (const t of p.tracks.values()) this.emit('trackUnpublished', t, p);
      this.emit('participantLeft', p, 'disconnected');
    }
    for (const info of now) {
      const known = this.participants.get(info.sid);
      if (!known) {
        const p = new RemoteParticipant(info);
        this.participants.set(p.sid, p);
        this.emit('participantJoined', p);
        for (const t of p.tracks.values()) this.emit('trackPublished', t, p);
        continue;
      }
      known.info = info;
      const sids = new Set(info.tracks.map((t) => t.sid));
      for (const t of [...known.tracks.values()]) {
        if (sids.has(t.sid)) continue;
        known.tracks.delete(t.sid);
        t.detach();
        this.emit('trackUnpublished', t, known);
      }
      for (const t of info.tracks) {
        const track = known.tracks.get(t.sid);
        if (track) track.info = t;
        else {
          const added = new RemoteTrack(t, known.sid);
          known.tracks.set(added.sid, added);
          this.emit('trackPublished', added, known);
        }
      }
    }
  }

  /** The same local tracks, announced to the new participant and sent on the new connection. */
  private async republish(): Promise<void> {
    const tracks = [...this.localTracks.values()];
    this.localTracks.clear();
    for (const local of tracks) {
      const options = { ...this.publishedWith.get(local), muted: local.muted };
      const { info, transceiver } = await this.announce(local.mediaStreamTrack, options);
      local.info = info;
      local.transceiver = transceiver;
      this.localTracks.set(local.sid, local);
      if (local.activeLayers) local.activeLayers = undefined;
    }
    if (tracks.length) await this.negotiatePublisher();
  }

  // ---- node -> client -------------------------------------------------------------------------

  private onSignal(msg: ServerMessage): void {
    // After leaving, a late offer must not open a new connection.
    if (this.closed) return;
    switch (msg.type) {
      case 'joined':
        return;
      case 'offer':
        this.midToTrack = { ...this.midToTrack, ...msg.tracks };
        void this.answerSubscriberOffer(msg.sdp);
        return;
      case 'participant_joined': {
        const p = new RemoteParticipant(msg.participant);
        this.participants.set(p.sid, p);
        this.emit('participantJoined', p);
        return;
      }
      case 'participant_updated': {
        const p = this.participants.get(msg.participant.sid);
        if (p) {
          p.info = msg.participant;
          this.emit('participantUpdated', p);
        }
        return;
      }
      case 'participant_left': {
        const p = this.participants.get(msg.participantSid);
        if (!p) return;
        this.participants.delete(p.sid);
        for (const t of p.tracks.values()) this.emit('trackUnpublished', t, p);
        this.emit('participantLeft', p, msg.reason);
        return;
      }
      case 'track_published': {
        const p = this.participants.get(msg.participantSid);
        if (!p) return;
        const track = p.tracks.get(msg.track.sid) ?? new RemoteTrack(msg.track, p.sid);
        track.info = msg.track;
        p.tracks.set(track.sid, track);
        this.emit('trackPublished', track, p);
        const early = this.pendingStreams.get(track.sid);
        if (early) this.bindRemote(track.sid, early);
        return;
      }
      case 'track_unpublished': {
        const p = this.participants.get(msg.participantSid);
        const track = p?.tracks.get(msg.trackSid);
        if (!p || !track) return;
        p.tracks.delete(track.sid);
        track.detach();
        this.emit('trackUnpublished', track, p);
        return;
      }
      case 'track_muted': {
        const track =
          this.participants.get(msg.participantSid)?.tracks.get(msg.trackSid) ??
          this.localTracks.get(msg.trackSid);
        if (!track) return;
        track.info = { ...track.info, muted: msg.muted };
        this.emit('trackMuted', track, msg.muted);
        return;
      }
      case 'layers_wanted': {
        const local = this.localTracks.get(msg.trackSid);
        if (local) void this.applyWantedLayers(local, msg.rids);
        return;
      }
      case 'mute_request': {
        const track = this.localTracks.get(msg.trackSid);
        if (!track) return;
        track.mediaStreamTrack.enabled = !msg.muted;
        track.info = { ...track.info, muted: msg.muted };
        this.emit('muteRequested', track, msg.muted);
        return;
      }
      case 'data':
        this.emit('dataReceived', {
          from: msg.from,
          fromSid: msg.fromSid,
          payload: msg.binary ? fromBase64(msg.payload) : msg.payload,
          topic: msg.topic,
          reliable: msg.reliable,
        });
        return;
      case 'leave':
        this.teardown(msg.reason);
        return;
      default:
        return;
    }
  }

  private ensureSubscriber(): RTCPeerConnection {
    if (this.subscriber) return this.subscriber;
    const pc = new this.PC({ iceServers: this.options.iceServers ?? [], bundlePolicy: 'max-bundle' });
    pc.onicecandidate = (ev) => {
      if (ev.candidate)
        this.signal.send({ type: 'candidate', target: 'subscriber', candidate: candidateInit(ev.candidate) });
    };
    pc.ontrack = (ev) => {
      const mid = ev.transceiver?.mid;
      const mapped = mid ? this.midToTrack[mid] : undefined;
      if (mapped) this.bindRemote(mapped.trackSid, ev.track);
    };
    pc.ondatachannel = (ev) => {
      ev.channel.onmessage = (m: MessageEvent) => this.onLossy(String(m.data));
    };
    this.watchMedia(pc);
    this.subscriber = pc;
    return pc;
  }

  private bindRemote(trackSid: string, mediaStreamTrack: MediaStreamTrack): void {
    for (const p of this.participants.values()) {
      const track = p.tracks.get(trackSid);
      if (!track) continue;
      this.pendingStreams.delete(trackSid);
      track.mediaStreamTrack = mediaStreamTrack;
      track.reportViewport = (visible, width, height) =>
        this.setTrackSettings(track, { visible, width, height });
      this.emit('trackSubscribed', track, p);
      return;
    }
    // Media can come before the announcement; keep it until track_published arrives.
    this.pendingStreams.set(trackSid, mediaStreamTrack);
  }

  private onLossy(text: string): void {
    try {
      const f = JSON.parse(text) as LossyDataFrame;
      this.emit('dataReceived', {
        from: f.from,
        fromSid: f.fromSid,
        payload: f.binary ? fromBase64(f.payload) : f.payload,
        topic: f.topic,
        reliable: false,
      });
    } catch {
      // a broken lossy frame is a lost one
    }
  }

  private async answerSubscriberOffer(sdp: string): Promise<void> {
    const pc = this.ensureSubscriber();
    try {
      if (this.closed) return;
      await pc.setRemoteDescription({ type: 'offer', sdp });
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      this.signal.send({ type: 'answer', sdp: pc.localDescription?.sdp ?? answer.sdp ?? '' });
    } catch (err) {
      console.error('liveport: subscriber negotiation failed', err);
    }
  }

  // ---- publishing -----------------------------------------------------------------------------

  private ensurePublisher(): RTCPeerConnection {
    if (this.publisher) return this.publisher;
    const pc = new this.PC({ iceServers: this.options.iceServers ?? [], bundlePolicy: 'max-bundle' });
    pc.onicecandidate = (ev) => {
      if (ev.candidate)
        this.signal.send({ type: 'candidate', target: 'publisher', candidate: candidateInit(ev.candidate) });
    };
    this.lossyOut = pc.createDataChannel('lossy', { ordered: false, maxRetransmits: 0 });
    this.watchMedia(pc);
    this.publisher = pc;
    return pc;
  }

  /** A media connection that failed (the network path changed under it) is made again. */
  private watchMedia(pc: RTCPeerConnection): void {
    pc.addEventListener('connectionstatechange', () => {
      const current = pc === this.publisher || pc === this.subscriber;
      if (
        pc.connectionState === 'failed' &&
        current &&
        !this.closed &&
        !this.reconnecting &&
        this.graceMs > 0
      )
        this.signal.close(RECONNECTING_CLOSE);
    });
  }

  /** Publish a media track (camera, microphone, screen…). Refused with GRANT_MISSING when the token does not allow the source. */
  async publishTrack(track: MediaStreamTrack, options: PublishOptions = {}): Promise<LocalTrack> {
    const { info, transceiver } = await this.announce(track, options);
    const local = new LocalTrack(info, track, transceiver);
    if (options.muted) track.enabled = false;
    this.localTracks.set(local.sid, local);
    this.publishedWith.set(local, options);
    await this.negotiatePublisher();
    return local;
  }

  /** Tell the node about a track and add it to the publisher connection (not negotiated yet). */
  private async announce(
    track: MediaStreamTrack,
    options: PublishOptions,
  ): Promise<{ info: TrackInfo; transceiver: RTCRtpTransceiver }> {
    const source = options.source ?? (track.kind === 'audio' ? 'microphone' : 'camera');
    const settings: { width?: number; height?: number } =
      options.dimensions ??
      (track.kind === 'video' && typeof track.getSettings === 'function' ? track.getSettings() : {});
    const layers =
      track.kind === 'video' &&
      source === 'camera' &&
      options.simulcast === true &&
      settings.width &&
      settings.height
        ? simulcastLayers(settings.width, settings.height)
        : [];
    const ack = await this.signal.request<'publish_ack'>({
      type: 'publish',
      cid: `c${++this.cidCounter}`,
      kind: track.kind as 'audio' | 'video',
      source,
      name: options.name ?? '',
      muted: options.muted ?? false,
      ...(settings.width && { width: Math.round(settings.width) }),
      ...(settings.height && { height: Math.round(settings.height) }),
      ...(layers.length > 1 && { layers }),
    });
    const pc = this.ensurePublisher();
    const transceiver = pc.addTransceiver(track, {
      direction: 'sendonly',
      ...(layers.length > 1 && {
        sendEncodings: layers.map((l) => ({
          rid: l.rid,
          maxBitrate: l.maxBitrate,
          scaleResolutionDownBy: (settings.width ?? l.width) / l.width,
        })),
      }),
    });
    if (track.kind === 'video' && options.videoCodec) preferCodec(transceiver, `video/${options.videoCodec}`);
    return { info: ack.track, transceiver };
  }

  async publishCamera(constraints: MediaTrackConstraints = {}): Promise<LocalTrack> {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { width: 1280, height: 720, ...constraints },
    });
    return this.publishTrack(stream.getVideoTracks()[0]!, { source: 'camera' });
  }

  async publishMicrophone(constraints: MediaTrackConstraints = {}): Promise<LocalTrack> {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, ...constraints },
    });
    return this.publishTrack(stream.getAudioTracks()[0]!, { source: 'microphone' });
  }

  async publishScreen(): Promise<LocalTrack> {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true });
    return this.publishTrack(stream.getVideoTracks()[0]!, { source: 'screen' });
  }

  /** Swap the media of a published track (e.g. front to rear camera) without renegotiating. */
  async replaceTrack(local: LocalTrack, next: MediaStreamTrack): Promise<void> {
    await local.sender.replaceTrack(next);
    local.mediaStreamTrack.stop();
    local.mediaStreamTrack = next;
    next.enabled = !local.muted;
  }

  async unpublishTrack(local: LocalTrack): Promise<void> {
    await this.signal.request<'ok'>({ type: 'unpublish', trackSid: local.sid });
    this.localTracks.delete(local.sid);
    this.publishedWith.delete(local);
    local.mediaStreamTrack.stop();
    if (this.publisher) {
      this.publisher.removeTrack(local.sender);
      await this.negotiatePublisher();
    }
  }

  async setMuted(local: LocalTrack, muted: boolean): Promise<void> {
    local.mediaStreamTrack.enabled = !muted;
    local.info = { ...local.info, muted };
    await this.signal.request<'ok'>({ type: 'mute', trackSid: local.sid, muted });
  }

  /** Dynacast: stop encoding the layers nobody watches (saves the publisher's CPU and uplink). */
  private async applyWantedLayers(local: LocalTrack, rids: string[]): Promise<void> {
    local.activeLayers = rids;
    const params = local.sender.getParameters();
    if (!params.encodings?.length) return;
    let changed = false;
    for (const e of params.encodings) {
      const active = e.rid === undefined || rids.includes(e.rid);
      if (e.active !== active) {
        e.active = active;
        changed = true;
      }
    }
    if (changed) await local.sender.setParameters(params).catch(() => undefined);
  }

  /**
   * Adaptive stream: tell the node how a remote video is shown, so it sends no more than the
   * player needs (and nothing while hidden). `attach()` does this on its own in browsers.
   */
  setTrackSettings(track: RemoteTrack, settings: { visible: boolean; width: number; height: number }): void {
    this.signal.send({
      type: 'track_settings',
      trackSid: track.sid,
      visible: settings.visible,
      width: Math.round(settings.width),
      height: Math.round(settings.height),
    });
  }

  /** One publisher negotiation at a time; callers queue behind each other. */
  private negotiatePublisher(): Promise<void> {
    this.negotiation = this.negotiation
      .catch(() => undefined)
      .then(async () => {
        const pc = this.ensurePublisher();
        const offer = await pc.createOffer();
        await pc.setLocalDescription(offer);
        const mids: Record<string, string> = {};
        for (const local of this.localTracks.values()) {
          const mid = local.transceiver.mid;
          if (mid) mids[mid] = local.sid;
        }
        const answer = await this.signal.request<'answer'>({
          type: 'offer',
          sdp: pc.localDescription?.sdp ?? '',
          mids,
        });
        await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
      });
    return this.negotiation;
  }

  // ---- data -----------------------------------------------------------------------------------

  /** Send text or bytes to the room (or to `to`). Reliable sends resolve once the node accepted them. */
  async sendData(payload: string | Uint8Array, options: SendDataOptions = {}): Promise<void> {
    const binary = typeof payload !== 'string';
    const text = binary ? toBase64(payload) : payload;
    const reliable = options.reliable ?? true;
    if (!reliable && this.lossyOut?.readyState === 'open') {
      this.lossyOut.send(JSON.stringify({ payload: text, binary, topic: options.topic, to: options.to }));
      return;
    }
    const msg = {
      type: 'data' as const,
      payload: text,
      binary,
      reliable,
      topic: options.topic,
      to: options.to,
    };
    if (reliable) await this.signal.request<'ok'>(msg);
    else this.signal.send(msg);
  }

  // ---- state ----------------------------------------------------------------------------------

  /** RTT, loss, bitrate and frames of both connections, from the browser's own statistics. */
  async getStats(): Promise<ConnectionStats> {
    const [pub, sub] = await Promise.all([this.publisher?.getStats(), this.subscriber?.getStats()]);
    return summarizeStats(pub, sub, this.signalRttMs);
  }

  get connectionState(): RTCPeerConnectionState {
    return this.subscriber?.connectionState ?? 'new';
  }

  /**
   * Bring the store's AI agent into this room as a voice participant: it listens to the room's
   * first microphone and answers aloud. Needs a token with the roomAdmin grant (a store's
   * server mints one for its clerk or its own page).
   */
  async startAgent(
    options: { language?: string } = {},
  ): Promise<{ identity: string; conversationId: string }> {
    const started = await this.signal.request<'agent_started'>({ type: 'start_agent', ...options });
    return { identity: started.identity, conversationId: started.conversationId };
  }

  /** The voice agent's figures in this room: voice-to-voice per turn, interruptions, stop times. */
  async agentMetrics(): Promise<{ summary: Record<string, number | undefined>; turns: unknown[] }> {
    const reply = await this.signal.request<'agent_metrics'>({ type: 'agent_metrics' });
    return { summary: reply.summary, turns: reply.turns };
  }

  async stopAgent(): Promise<void> {
    await this.signal.request<'ok'>({ type: 'stop_agent' });
  }

  async leave(): Promise<void> {
    if (this.closed) return;
    try {
      await this.signal.request<'ok'>({ type: 'leave' }, 2000);
    } catch {
      // leaving anyway
    }
    this.teardown('client_leave');
  }

  private teardown(reason: LeaveReason | 'signal_closed'): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pingTimer);
    for (const t of this.localTracks.values()) t.mediaStreamTrack.stop();
    this.publisher?.close();
    this.subscriber?.close();
    this.signal.close();
    this.emit('disconnected', reason);
  }
}

/** Put the codec first in the transceiver's preferences, where the browser supports that API. */
function preferCodec(transceiver: RTCRtpTransceiver, mimeType: string): void {
  const caps = globalThis.RTCRtpSender?.getCapabilities?.('video');
  if (!caps || typeof transceiver.setCodecPreferences !== 'function') return;
  const wanted = caps.codecs.filter((c) => c.mimeType.toLowerCase() === mimeType.toLowerCase());
  if (!wanted.length)
    throw new LiveportError(ErrorCode.BAD_REQUEST, `this browser cannot send ${mimeType}`, 0);
  // Offer only this codec (with its repair formats): the node answers in its own order, so
  // leaving others in the offer would let it pick one of them.
  const repair = caps.codecs.filter((c) => /\/(rtx|red|ulpfec|flexfec-03)$/i.test(c.mimeType));
  transceiver.setCodecPreferences([...wanted, ...repair]);
}

function candidateInit(c: RTCIceCandidate) {
  return {
    candidate: c.candidate,
    sdpMid: c.sdpMid,
    sdpMLineIndex: c.sdpMLineIndex,
    usernameFragment: c.usernameFragment,
  };
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export { ErrorCode, LiveportError };
