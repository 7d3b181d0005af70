import {
  ErrorCode,
  LiveportError,
  TypedEmitter,
  type LeaveReason,
  type LossyDataFrame,
  type RoomInfo,
  type ServerMessage,
} from '@liveport/protocol';
import { Participant, type ParticipantPermissions } from './Participant.ts';
import type { PublishedTrack } from './PublishedTrack.ts';
import type { MediaConfig } from './MediaConfig.ts';
import { newSid } from './sid.ts';

export interface RoomOptions {
  maxParticipants: number;
  emptyTimeoutSec: number;
  metadata: string;
}

export interface RoomEvents {
  [event: string]: unknown[];
  participantJoined: [Participant];
  participantLeft: [Participant, LeaveReason];
  trackPublished: [Participant, PublishedTrack];
  trackUnpublished: [Participant, PublishedTrack];
  trackMuted: [Participant, PublishedTrack];
  empty: [];
  closed: [];
}

export interface JoinRequest {
  identity: string;
  name: string;
  metadata: string;
  permissions: ParticipantPermissions;
  signal: (msg: ServerMessage) => void;
  /** inside the node (the voice agent): no transport, tracks in-process */
  local?: boolean;
}

export interface DataMessage {
  payload: string;
  binary: boolean;
  topic?: string;
  reliable: boolean;
  /** identities; empty or absent means everyone else */
  to?: string[];
}

/**
 * A room routes every participant's published tracks to every other participant allowed to
 * subscribe, and tells each client about the others through its signal.
 */
export class Room extends TypedEmitter<RoomEvents> {
  readonly sid = newSid('RM');
  readonly createdAt = Date.now();
  readonly participants = new Map<string, Participant>();
  private closed = false;

  constructor(
    readonly name: string,
    readonly options: RoomOptions,
    private readonly config: MediaConfig,
  ) {
    super();
  }

  info(): RoomInfo {
    return {
      sid: this.sid,
      name: this.name,
      createdAt: this.createdAt,
      numParticipants: this.participants.size,
      maxParticipants: this.options.maxParticipants,
      emptyTimeoutSec: this.options.emptyTimeoutSec,
      metadata: this.options.metadata,
    };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  byIdentity(identity: string): Participant | undefined {
    for (const p of this.participants.values()) if (p.identity === identity) return p;
    return undefined;
  }

  join(request: JoinRequest): Participant {
    if (this.closed) throw new LiveportError(ErrorCode.ROOM_NOT_FOUND, `room ${this.name} is closed`);
    const previous = this.byIdentity(request.identity);
    if (previous) this.leave(previous, 'duplicate_identity');
    if (this.options.maxParticipants > 0 && this.participants.size >= this.options.maxParticipants) {
      throw new LiveportError(ErrorCode.ROOM_FULL, `room ${this.name} is full`);
    }
    const p = new Participant(
      request.identity,
      request.name,
      request.metadata,
      request.permissions,
      this.config,
      request.signal,
      request.local ?? false,
    );
    this.participants.set(p.sid, p);
    p.on('trackPublished', (track) => this.onTrackPublished(p, track));
    p.on('lossyData', (frame) => this.sendData(p, { ...frame, reliable: false }));
    this.broadcast({ type: 'participant_joined', participant: p.info() }, p);
    for (const other of this.participants.values()) {
      if (other === p) continue;
      for (const track of other.published.values()) if (track.bound) p.subscribe(track);
    }
    this.emit('participantJoined', p);
    return p;
  }

  leave(p: Participant, reason: LeaveReason): void {
    if (!this.participants.delete(p.sid)) return;
    for (const track of p.published.values()) this.dropTrack(p, track);
    for (const other of this.participants.values()) {
      for (const trackSid of p.published.keys()) other.unsubscribe(trackSid);
    }
    if (reason !== 'client_leave' && reason !== 'disconnected') p.signal({ type: 'leave', reason });
    p.close();
    this.broadcast({ type: 'participant_left', participantSid: p.sid, identity: p.identity, reason });
    this.emit('participantLeft', p, reason);
    if (this.participants.size === 0) this.emit('empty');
  }

  private onTrackPublished(p: Participant, track: PublishedTrack): void {
    this.broadcast({ type: 'track_published', participantSid: p.sid, track: track.info() }, p);
    for (const other of this.participants.values()) if (other !== p) other.subscribe(track);
    this.emit('trackPublished', p, track);
  }

  unpublish(p: Participant, trackSid: string): void {
    const track = p.unpublish(trackSid);
    this.dropTrack(p, track);
  }

  private dropTrack(p: Participant, track: PublishedTrack): void {
    for (const other of this.participants.values()) if (other !== p) other.unsubscribe(track.sid);
    if (track.bound) {
      this.broadcast({ type: 'track_unpublished', participantSid: p.sid, trackSid: track.sid }, p);
      this.emit('trackUnpublished', p, track);
    }
  }

  /** Mute or unmute a track; by a moderator, the publisher is asked to follow. */
  setMuted(p: Participant, trackSid: string, muted: boolean, byModerator: boolean): PublishedTrack {
    const track = p.published.get(trackSid);
    if (!track) throw new LiveportError(ErrorCode.TRACK_NOT_FOUND, `no track ${trackSid}`);
    track.setMuted(muted);
    if (byModerator) p.signal({ type: 'mute_request', trackSid, muted });
    this.broadcast(
      { type: 'track_muted', participantSid: p.sid, trackSid, muted },
      byModerator ? undefined : p,
    );
    this.emit('trackMuted', p, track);
    return track;
  }

  sendData(from: Participant, message: DataMessage): number {
    const to = message.to?.length ? new Set(message.to) : undefined;
    let delivered = 0;
    for (const p of this.participants.values()) {
      if (p === from || (to && !to.has(p.identity))) continue;
      if (!message.reliable) {
        const frame: LossyDataFrame = {
          from: from.identity,
          fromSid: from.sid,
          payload: message.payload,
          binary: message.binary,
          topic: message.topic,
        };
        if (p.sendLossy(frame)) {
          delivered++;
          continue;
        }
      }
      p.signal({
        type: 'data',
        from: from.identity,
        fromSid: from.sid,
        payload: message.payload,
        binary: message.binary,
        topic: message.topic,
        reliable: message.reliable,
      });
      delivered++;
    }
    return delivered;
  }

  broadcast(msg: ServerMessage, except?: Participant): void {
    for (const p of this.participants.values()) if (p !== except) p.signal(msg);
  }

  close(reason: LeaveReason = 'room_deleted'): void {
    if (this.closed) return;
    for (const p of [...this.participants.values()]) this.leave(p, reason);
    this.closed = true;
    this.emit('closed');
    this.removeAllListeners();
  }
}
