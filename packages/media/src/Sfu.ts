import { ErrorCode, LiveportError, TypedEmitter, type LeaveReason } from '@liveport/protocol';
import { Room, type RoomOptions } from './Room.ts';
import type { Participant } from './Participant.ts';
import type { PublishedTrack } from './PublishedTrack.ts';
import type { MediaConfig } from './MediaConfig.ts';

export interface SfuEvents {
  [event: string]: unknown[];
  roomStarted: [Room];
  roomFinished: [Room];
  participantJoined: [Room, Participant];
  participantLeft: [Room, Participant, LeaveReason];
  trackPublished: [Room, Participant, PublishedTrack];
  trackUnpublished: [Room, Participant, PublishedTrack];
}

const ROOM_NAME = /^[\w.\-:@]{1,128}$/;

/**
 * The node's media engine: the rooms it hosts, their lifetimes (an empty room closes after
 * its timeout), and the sweep that removes participants whose client went silent.
 */
export class Sfu extends TypedEmitter<SfuEvents> {
  private readonly rooms = new Map<string, Room>();
  private readonly emptyTimers = new Map<Room, ReturnType<typeof setTimeout>>();
  private readonly sweep: ReturnType<typeof setInterval>;

  constructor(
    readonly config: MediaConfig,
    private readonly roomDefaults: RoomOptions,
  ) {
    super();
    this.sweep = setInterval(() => this.removeSilentParticipants(), 1000);
    this.sweep.unref();
  }

  static validRoomName(name: string): boolean {
    return ROOM_NAME.test(name);
  }

  get(name: string): Room | undefined {
    return this.rooms.get(name);
  }

  list(): Room[] {
    return [...this.rooms.values()];
  }

  create(name: string, options: Partial<RoomOptions> = {}): Room {
    if (!Sfu.validRoomName(name)) {
      throw new LiveportError(ErrorCode.BAD_REQUEST, 'room name must be 1-128 of letters, digits, _ . - : @');
    }
    if (this.rooms.has(name)) throw new LiveportError(ErrorCode.ROOM_EXISTS, `room ${name} exists`);
    const room = new Room(name, { ...this.roomDefaults, ...options }, this.config);
    this.rooms.set(name, room);
    room.on('participantJoined', (p) => {
      this.cancelEmptyTimer(room);
      this.emit('participantJoined', room, p);
    });
    room.on('participantLeft', (p, reason) => this.emit('participantLeft', room, p, reason));
    room.on('trackPublished', (p, t) => this.emit('trackPublished', room, p, t));
    room.on('trackUnpublished', (p, t) => this.emit('trackUnpublished', room, p, t));
    room.on('empty', () => this.startEmptyTimer(room));
    this.startEmptyTimer(room);
    this.emit('roomStarted', room);
    return room;
  }

  getOrCreate(name: string): Room {
    return this.rooms.get(name) ?? this.create(name);
  }

  delete(name: string, reason: LeaveReason = 'room_deleted'): void {
    const room = this.rooms.get(name);
    if (!room) throw new LiveportError(ErrorCode.ROOM_NOT_FOUND, `no room ${name}`);
    this.rooms.delete(name);
    this.cancelEmptyTimer(room);
    room.close(reason);
    this.emit('roomFinished', room);
  }

  private startEmptyTimer(room: Room): void {
    this.cancelEmptyTimer(room);
    const timer = setTimeout(() => {
      if (room.participants.size === 0 && this.rooms.get(room.name) === room) this.delete(room.name);
    }, room.options.emptyTimeoutSec * 1000);
    timer.unref();
    this.emptyTimers.set(room, timer);
  }

  private cancelEmptyTimer(room: Room): void {
    clearTimeout(this.emptyTimers.get(room));
    this.emptyTimers.delete(room);
  }

  private removeSilentParticipants(now = Date.now()): void {
    const limit = this.config.participantTimeoutSec * 1000;
    for (const room of this.rooms.values()) {
      for (const p of [...room.participants.values()]) {
        // a local participant (the voice agent) has no client to fall silent
        if (!p.local && now - p.lastSeenMs > limit) room.leave(p, 'timeout');
      }
    }
  }

  close(): void {
    clearInterval(this.sweep);
    for (const name of [...this.rooms.keys()]) this.delete(name, 'server_shutdown');
  }
}
