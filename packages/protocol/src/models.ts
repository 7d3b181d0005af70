import { z } from 'zod';
import { TrackSource } from './grants.ts';

export const TrackKind = z.enum(['audio', 'video']);
export type TrackKind = z.infer<typeof TrackKind>;

/** One simulcast encoding of a video track; index 0 is the lowest. */
export const VideoLayer = z.object({
  rid: z.string().regex(/^[a-zA-Z0-9]{1,16}$/),
  width: z.number().int().min(0).max(16384).default(0),
  height: z.number().int().min(0).max(16384).default(0),
  /** the publisher's cap for this layer, bit/s */
  maxBitrate: z.number().int().min(0).max(50_000_000).default(0),
});
export type VideoLayer = z.infer<typeof VideoLayer>;

export const TrackInfo = z.object({
  sid: z.string(),
  kind: TrackKind,
  source: TrackSource,
  name: z.string(),
  muted: z.boolean(),
  /** Negotiated codec, e.g. "video/VP8"; empty until media flows. */
  mimeType: z.string(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  /** simulcast layers, lowest first; absent for a single encoding */
  layers: z.array(VideoLayer).optional(),
});
export type TrackInfo = z.infer<typeof TrackInfo>;

export const ParticipantInfo = z.object({
  sid: z.string(),
  identity: z.string(),
  name: z.string(),
  metadata: z.string(),
  joinedAt: z.number(),
  tracks: z.array(TrackInfo),
  canPublish: z.boolean(),
});
export type ParticipantInfo = z.infer<typeof ParticipantInfo>;

export const RoomInfo = z.object({
  sid: z.string(),
  name: z.string(),
  createdAt: z.number(),
  numParticipants: z.number().int(),
  maxParticipants: z.number().int(),
  emptyTimeoutSec: z.number().int(),
  metadata: z.string(),
});
export type RoomInfo = z.infer<typeof RoomInfo>;

/** Why a participant left; sent with participant_left and leave. */
export const LeaveReason = z.enum([
  'client_leave',
  'disconnected',
  'timeout',
  'removed',
  'room_deleted',
  'duplicate_identity',
  'server_shutdown',
]);
export type LeaveReason = z.infer<typeof LeaveReason>;
