import { z } from 'zod';
import { ErrorCode, LiveportError } from '@liveport/protocol';
import { participantStats, roomStats, type Room, type Sfu } from '@liveport/media';
import type { Request, Router } from '../http/Router.ts';
import type { KeyRing } from '../keys.ts';
import { authenticate, requireRight } from './auth.ts';

const CreateRoom = z
  .object({
    name: z.string().min(1).max(128),
    emptyTimeoutSec: z.number().int().min(1).max(86400).optional(),
    maxParticipants: z.number().int().min(0).max(10000).optional(),
    metadata: z.string().max(4096).optional(),
  })
  .strict();
const Mute = z.object({ muted: z.boolean() }).strict();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new LiveportError(ErrorCode.BAD_REQUEST, `${issue?.path.join('.') || 'body'}: ${issue?.message}`);
}

/** REST: rooms and the people in them, for the store's servers. */
export function roomRoutes(router: Router, sfu: Sfu, keys: KeyRing): void {
  const room = (name: string): Room => {
    const found = sfu.get(name);
    if (!found) throw new LiveportError(ErrorCode.ROOM_NOT_FOUND, `no room ${name}`);
    return found;
  };
  const participant = (r: Room, identity: string) => {
    const found = r.byIdentity(identity);
    if (!found)
      throw new LiveportError(ErrorCode.PARTICIPANT_NOT_FOUND, `no participant ${identity} in ${r.name}`);
    return found;
  };
  const caller = (req: Request) => authenticate(req, keys);

  router
    .add('GET', '/api/rooms', (req) => {
      requireRight(caller(req), 'roomList');
      return { json: { rooms: sfu.list().map((r) => r.info()) } };
    })
    .add('POST', '/api/rooms', (req) => {
      requireRight(caller(req), 'roomCreate');
      const body = parse(CreateRoom, req.body);
      const created = sfu.create(body.name, {
        ...(body.emptyTimeoutSec !== undefined && { emptyTimeoutSec: body.emptyTimeoutSec }),
        ...(body.maxParticipants !== undefined && { maxParticipants: body.maxParticipants }),
        ...(body.metadata !== undefined && { metadata: body.metadata }),
      });
      return { status: 201, json: { room: created.info() } };
    })
    .add('GET', '/api/rooms/:room', (req) => {
      requireRight(caller(req), 'roomAdmin', req.params.room);
      return { json: { room: room(req.params.room!).info() } };
    })
    .add('DELETE', '/api/rooms/:room', (req) => {
      requireRight(caller(req), 'roomCreate');
      sfu.delete(req.params.room!);
      return { status: 204 };
    })
    .add('GET', '/api/rooms/:room/participants', (req) => {
      requireRight(caller(req), 'roomAdmin', req.params.room);
      return {
        json: { participants: [...room(req.params.room!).participants.values()].map((p) => p.info()) },
      };
    })
    .add('GET', '/api/rooms/:room/participants/:identity', (req) => {
      requireRight(caller(req), 'roomAdmin', req.params.room);
      return { json: { participant: participant(room(req.params.room!), req.params.identity!).info() } };
    })
    .add('GET', '/api/rooms/:room/stats', (req) => {
      requireRight(caller(req), 'roomAdmin', req.params.room);
      return { json: { participants: roomStats(room(req.params.room!)) } };
    })
    .add('GET', '/api/rooms/:room/participants/:identity/stats', (req) => {
      requireRight(caller(req), 'roomAdmin', req.params.room);
      return { json: { stats: participantStats(participant(room(req.params.room!), req.params.identity!)) } };
    })
    .add('DELETE', '/api/rooms/:room/participants/:identity', (req) => {
      requireRight(caller(req), 'roomAdmin', req.params.room);
      const r = room(req.params.room!);
      r.leave(participant(r, req.params.identity!), 'removed');
      return { status: 204 };
    })
    .add('POST', '/api/rooms/:room/participants/:identity/tracks/:track/mute', (req) => {
      requireRight(caller(req), 'roomAdmin', req.params.room);
      const { muted } = parse(Mute, req.body);
      const r = room(req.params.room!);
      const track = r.setMuted(participant(r, req.params.identity!), req.params.track!, muted, true);
      return { json: { track: track.info() } };
    });
}
