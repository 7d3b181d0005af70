import type { WebSocket } from 'ws';
import {
  ErrorCode,
  LiveportError,
  PROTOCOL_VERSION,
  parseClientMessage,
  type ClientMessage,
  type ServerMessage,
  type TokenClaims,
} from '@liveport/protocol';
import type { Participant, Room, Sfu } from '@liveport/media';
import type { AgentService } from '@liveport/agent';
import type { KeyRing } from '../keys.ts';
import { verifyToken } from '../token.ts';

/** Token bucket: a client may send bursts of 100 messages, refilled at 50 per second. */
const RATE_BURST = 100;
const RATE_PER_SEC = 50;

type Msg<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;

/**
 * One client's signaling WebSocket: the edge where its messages are parsed, checked against
 * its token's grants and handed to the room. A bad message gets an error and changes
 * nothing; the connection and the room carry on.
 */
export class SignalSession {
  private room?: Room;
  private participant?: Participant;
  private claims?: TokenClaims;
  private tokens = RATE_BURST;
  private lastRefill = Date.now();
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly sfu: Sfu,
    private readonly keys: KeyRing,
    /** the AI agent service, for `start_agent` (absent before the node has started) */
    private readonly agent?: () => AgentService | undefined,
  ) {
    ws.on('message', (data, isBinary) => {
      if (isBinary)
        return this.fail(
          undefined,
          new LiveportError(ErrorCode.MESSAGE_INVALID, 'binary frames are not part of the protocol'),
        );
      if (!this.allow())
        return this.fail(undefined, new LiveportError(ErrorCode.RATE_LIMITED, 'too many messages'));
      // Messages of one client are handled in order: an offer must finish before its candidates.
      this.queue = this.queue.then(() => this.receive(data as Buffer));
    });
    ws.on('close', (code) => this.onClose(code));
    ws.on('error', () => undefined);
    ws.on('pong', () => this.touch());
  }

  get joinedParticipant(): Participant | undefined {
    return this.participant;
  }

  send(msg: ServerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private touch(): void {
    if (this.participant) this.participant.lastSeenMs = Date.now();
  }

  private allow(): boolean {
    const now = Date.now();
    this.tokens = Math.min(RATE_BURST, this.tokens + ((now - this.lastRefill) / 1000) * RATE_PER_SEC);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private async receive(data: Buffer): Promise<void> {
    if (this.closed) return;
    const parsed = parseClientMessage(data);
    if (!parsed.ok)
      return this.fail(parsed.rid, new LiveportError(ErrorCode.MESSAGE_INVALID, parsed.message));
    const msg = parsed.value;
    this.touch();
    try {
      if (msg.type === 'join') return await this.join(msg);
      if (msg.type === 'ping')
        return this.send({ type: 'pong', rid: msg.rid, t: msg.t, serverTime: Date.now() });
      if (!this.participant || !this.room || !this.claims) {
        throw new LiveportError(ErrorCode.NOT_JOINED, `join before sending ${msg.type}`);
      }
      await this.dispatch(msg, this.room, this.participant, this.claims);
    } catch (err) {
      this.fail('rid' in msg ? msg.rid : undefined, err);
    }
  }

  private async join(msg: Msg<'join'>): Promise<void> {
    if (this.participant) throw new LiveportError(ErrorCode.ALREADY_JOINED, 'this connection already joined');
    if (msg.protocol !== PROTOCOL_VERSION) {
      throw new LiveportError(
        ErrorCode.PROTOCOL_UNSUPPORTED,
        `node speaks protocol ${PROTOCOL_VERSION}, client ${msg.protocol}`,
      );
    }
    let claims: TokenClaims;
    try {
      claims = verifyToken(msg.token, (k) => this.keys.get(k));
    } catch (err) {
      this.fail(msg.rid, err);
      this.ws.close(4001, 'unauthorized');
      return;
    }
    const g = claims.grants;
    if (!g.join || !g.room)
      throw new LiveportError(ErrorCode.GRANT_MISSING, 'token does not grant joining a room');
    if (msg.room !== undefined && msg.room !== g.room) {
      throw new LiveportError(ErrorCode.TOKEN_ROOM_MISMATCH, `token is for room ${g.room}, not ${msg.room}`);
    }
    const room = this.sfu.getOrCreate(g.room);
    const participant = room.join({
      identity: claims.sub,
      name: claims.name ?? claims.sub,
      metadata: claims.metadata ?? '',
      permissions: { subscribe: g.subscribe, publish: g.publish, publishData: g.publishData },
      signal: (m) => this.send(m),
    });
    this.room = room;
    this.participant = participant;
    this.claims = claims;
    this.send({
      type: 'joined',
      rid: msg.rid,
      protocol: PROTOCOL_VERSION,
      room: room.info(),
      participant: participant.info(),
      participants: [...room.participants.values()].filter((p) => p !== participant).map((p) => p.info()),
      // Several pings fit in the timeout, so one lost ping never gets a live client removed.
      pingIntervalSec: Math.max(1, Math.min(5, Math.floor(this.sfu.config.participantTimeoutSec / 4))),
      reconnectGraceSec: this.sfu.config.participantTimeoutSec,
    });
  }

  private async dispatch(msg: ClientMessage, room: Room, p: Participant, claims: TokenClaims): Promise<void> {
    switch (msg.type) {
      case 'publish': {
        const track = p.requestPublish(msg);
        return this.send({ type: 'publish_ack', rid: msg.rid, cid: msg.cid, track: track.info() });
      }
      case 'track_settings':
        p.setTrackSettings(msg.trackSid, msg.visible, msg.height);
        return;
      case 'unpublish':
        room.unpublish(p, msg.trackSid);
        return this.ok(msg.rid);
      case 'mute':
        room.setMuted(p, msg.trackSid, msg.muted, false);
        return this.ok(msg.rid);
      case 'offer': {
        const sdp = await p.handlePublisherOffer(msg.sdp, msg.mids);
        return this.send({ type: 'answer', rid: msg.rid, sdp });
      }
      case 'answer':
        await p.handleSubscriberAnswer(msg.sdp);
        return;
      case 'candidate':
        await p.addIceCandidate(msg.target, msg.candidate);
        return;
      case 'data':
        if (!claims.grants.publishData)
          throw new LiveportError(ErrorCode.GRANT_MISSING, 'token does not allow sending data');
        room.sendData(p, msg);
        return this.ok(msg.rid);
      case 'update_name':
        p.name = msg.name;
        room.broadcast({ type: 'participant_updated', participant: p.info() });
        return this.ok(msg.rid);
      case 'leave':
        this.ok(msg.rid);
        this.leaveRoom('client_leave');
        this.ws.close(1000, 'left');
        return;
      case 'start_agent': {
        const agent = this.agent?.();
        if (!claims.grants.roomAdmin && !claims.grants.roomCreate) {
          throw new LiveportError(ErrorCode.GRANT_MISSING, 'starting the agent needs the roomAdmin grant');
        }
        if (!agent)
          throw new LiveportError(ErrorCode.AGENT_UNAVAILABLE, 'the agent is not running on this node');
        const voice = agent.startVoice(room, undefined, msg.language);
        return this.send({
          type: 'agent_started',
          rid: msg.rid,
          identity: voice.identity,
          conversationId: voice.session.conversationId,
        });
      }
      case 'stop_agent': {
        if (!claims.grants.roomAdmin && !claims.grants.roomCreate) {
          throw new LiveportError(ErrorCode.GRANT_MISSING, 'stopping the agent needs the roomAdmin grant');
        }
        if (!this.agent?.()?.stopVoice(room.name))
          throw new LiveportError(ErrorCode.NOT_FOUND, 'no agent in this room');
        return this.ok(msg.rid);
      }
      case 'agent_metrics': {
        const voice = this.agent?.()?.voices.get(room.name);
        if (!voice) throw new LiveportError(ErrorCode.NOT_FOUND, 'no agent in this room');
        const metrics = voice.session.metrics;
        return this.send({
          type: 'agent_metrics',
          rid: msg.rid,
          summary: metrics.summary(),
          turns: metrics.turns,
        });
      }
      case 'join':
      case 'ping':
        return; // handled before dispatch
    }
  }

  private ok(rid: string | undefined): void {
    if (rid) this.send({ type: 'ok', rid });
  }

  private fail(rid: string | undefined, err: unknown): void {
    const error =
      err instanceof LiveportError ? err : new LiveportError(ErrorCode.INTERNAL, 'internal error');
    if (!(err instanceof LiveportError)) console.error('signaling error', err);
    this.send({ type: 'error', rid, code: error.code, message: error.message });
  }

  private leaveRoom(reason: 'client_leave' | 'disconnected'): void {
    const { room, participant } = this;
    this.participant = undefined;
    this.room = undefined;
    if (room && participant) room.leave(participant, reason);
  }

  /**
   * A socket closed on purpose (the client's own close, a page going away) leaves at once. One
   * that dropped (no close frame: a network change, a tunnel) keeps its participant, media and
   * all, for the participant timeout, for the client to come back and take its place; if it
   * does not, the timeout sweep removes it.
   */
  private onClose(code: number): void {
    this.closed = true;
    const dropped = code !== 1000 && code !== 1001;
    if (dropped && this.participant && this.room) {
      this.participant = undefined;
      this.room = undefined;
      return;
    }
    this.leaveRoom('disconnected');
  }

  /** Called by the node's heartbeat: a socket that did not answer the last ping is cut. */
  heartbeat(): void {
    if (this.participant && !this.room?.participants.has(this.participant.sid)) {
      // removed by the room (timeout, moderator, duplicate identity): close the socket too
      this.participant = undefined;
      this.ws.close(1000, 'removed');
      return;
    }
    if (this.ws.readyState === this.ws.OPEN) this.ws.ping();
  }
}
