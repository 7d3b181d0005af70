import { z } from 'zod';
import { TrackSource } from './grants.ts';
import { LeaveReason, ParticipantInfo, RoomInfo, TrackInfo, TrackKind, VideoLayer } from './models.ts';
import type { ErrorCode } from './errors.ts';
import { MAX_DATA_BYTES, MAX_SIGNAL_BYTES } from './constants.ts';

/**
 * The signaling protocol: JSON objects over one WebSocket per participant, each with a `type`.
 * Requests may carry `rid` (request id); the reply or error echoes it.
 */

const rid = z.string().max(64).optional();
const sdp = z.string().min(1).max(MAX_SIGNAL_BYTES);
export const PeerTarget = z.enum(['publisher', 'subscriber']);
export type PeerTarget = z.infer<typeof PeerTarget>;

export const IceCandidate = z.object({
  candidate: z.string().max(1024),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(1024).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});
export type IceCandidate = z.infer<typeof IceCandidate>;

const DataPayload = {
  payload: z.string().max(MAX_DATA_BYTES),
  /** true when payload is base64 of binary data */
  binary: z.boolean().default(false),
  topic: z.string().max(128).optional(),
};

// ---- client -> server -------------------------------------------------------------------------

export const ClientMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('join'),
    rid,
    token: z.string().min(1).max(8192),
    protocol: z.number().int(),
    /** When given, must equal the token's room. */
    room: z.string().max(128).optional(),
  }),
  z.object({
    type: z.literal('publish'),
    rid,
    /** Client's id for the track, echoed in the reply. */
    cid: z.string().min(1).max(64),
    kind: TrackKind,
    source: TrackSource,
    name: z.string().max(128).default(''),
    muted: z.boolean().default(false),
    width: z.number().int().min(0).max(16384).optional(),
    height: z.number().int().min(0).max(16384).optional(),
    /** simulcast encodings, lowest first */
    layers: z.array(VideoLayer).min(2).max(3).optional(),
  }),
  z.object({ type: z.literal('unpublish'), rid, trackSid: z.string().max(64) }),
  /**
   * Adaptive stream: how a subscriber shows a remote video track. The node sends no layer
   * larger than the element needs, and nothing while it is hidden.
   */
  z.object({
    type: z.literal('track_settings'),
    trackSid: z.string().max(64),
    visible: z.boolean(),
    width: z.number().int().min(0).max(16384),
    height: z.number().int().min(0).max(16384),
  }),
  z.object({ type: z.literal('mute'), rid, trackSid: z.string().max(64), muted: z.boolean() }),
  z.object({
    type: z.literal('offer'),
    rid,
    sdp,
    /** mid -> track sid, for every sending m-line of the publisher connection */
    mids: z.record(z.string().max(64), z.string().max(64)).default({}),
  }),
  z.object({ type: z.literal('answer'), rid, sdp }),
  z.object({ type: z.literal('candidate'), target: PeerTarget, candidate: IceCandidate.nullable() }),
  z.object({
    type: z.literal('data'),
    rid,
    ...DataPayload,
    reliable: z.boolean().default(true),
    /** Identities to deliver to; empty or absent means everyone else in the room. */
    to: z.array(z.string().max(256)).max(256).optional(),
  }),
  z.object({ type: z.literal('update_name'), rid, name: z.string().max(256) }),
  z.object({ type: z.literal('leave'), rid }),
  /** ask for the AI voice agent in this room (needs the roomAdmin grant) */
  z.object({ type: z.literal('start_agent'), rid, language: z.string().min(2).max(35).optional() }),
  z.object({ type: z.literal('stop_agent'), rid }),
  /** the voice agent's per-turn metrics in this room */
  z.object({ type: z.literal('agent_metrics'), rid }),
  z.object({ type: z.literal('ping'), rid, t: z.number() }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type ClientMessageInput = z.input<typeof ClientMessage>;

// ---- server -> client -------------------------------------------------------------------------

export interface JoinedMessage {
  type: 'joined';
  rid?: string;
  protocol: number;
  room: RoomInfo;
  participant: ParticipantInfo;
  participants: ParticipantInfo[];
  /** Seconds between the client's pings; the node drops a participant silent for several times this. */
  pingIntervalSec: number;
  /**
   * How long the node keeps this participant when its signaling drops without a close, for
   * the client to reconnect and take its place (absent from older nodes: no reconnecting).
   */
  reconnectGraceSec?: number;
}
export type ServerMessage =
  | JoinedMessage
  | { type: 'publish_ack'; rid?: string; cid: string; track: TrackInfo }
  | { type: 'answer'; rid?: string; sdp: string }
  | { type: 'offer'; sdp: string; tracks: Record<string, { trackSid: string; participantSid: string }> }
  | { type: 'candidate'; target: PeerTarget; candidate: IceCandidate | null }
  | { type: 'participant_joined'; participant: ParticipantInfo }
  | { type: 'participant_updated'; participant: ParticipantInfo }
  | { type: 'participant_left'; participantSid: string; identity: string; reason: LeaveReason }
  | { type: 'track_published'; participantSid: string; track: TrackInfo }
  | { type: 'track_unpublished'; participantSid: string; trackSid: string }
  | { type: 'track_muted'; participantSid: string; trackSid: string; muted: boolean }
  /** Dynacast: the simulcast layers of this client's track that some subscriber needs; pause the rest. */
  | { type: 'layers_wanted'; trackSid: string; rids: string[] }
  /** A moderator asks this client to mute (or unmute) its own track; forwarding already stopped. */
  | { type: 'mute_request'; trackSid: string; muted: boolean }
  | {
      type: 'data';
      from: string;
      fromSid: string;
      payload: string;
      binary: boolean;
      topic?: string;
      reliable: boolean;
    }
  | { type: 'ok'; rid?: string }
  | { type: 'agent_started'; rid?: string; identity: string; conversationId: string }
  | { type: 'agent_metrics'; rid?: string; summary: Record<string, number | undefined>; turns: unknown[] }
  | { type: 'pong'; rid?: string; t: number; serverTime: number }
  | { type: 'leave'; reason: LeaveReason }
  | { type: 'error'; rid?: string; code: ErrorCode; message: string };

/** Lossy data relayed over the data channels is framed as this JSON, one per message. */
export interface LossyDataFrame {
  from: string;
  fromSid: string;
  payload: string;
  binary: boolean;
  topic?: string;
  to?: string[];
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string; rid?: string };

/** Parse one signaling frame from a client; never throws, whatever the bytes. */
export function parseClientMessage(raw: string | Buffer): ParseResult<ClientMessage> {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  if (text.length > MAX_SIGNAL_BYTES) return { ok: false, message: 'message too large' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: 'message is not JSON' };
  }
  const result = ClientMessage.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  const requestId =
    typeof json === 'object' && json !== null && typeof (json as { rid?: unknown }).rid === 'string'
      ? ((json as { rid: string }).rid as string).slice(0, 64)
      : undefined;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length ? issue.path.join('.') + ': ' : '';
  return { ok: false, message: `${where}${issue?.message ?? 'invalid message'}`, rid: requestId };
}
