import { z } from 'zod';

/** What a published track carries; grants name the sources a participant may publish. */
export const TrackSource = z.enum([
  'camera',
  'microphone',
  'screen',
  'screen_audio',
  'agent_audio',
  'unknown',
]);
export type TrackSource = z.infer<typeof TrackSource>;

export const Grants = z.object({
  /** The only room this token opens (required for join). */
  room: z.string().min(1).max(128).optional(),
  join: z.boolean().default(false),
  /** Sources this participant may publish; empty means none. */
  publish: z.array(TrackSource).default([]),
  subscribe: z.boolean().default(false),
  publishData: z.boolean().default(false),
  /** Moderate the room named in `room`: remove participants, mute tracks. */
  roomAdmin: z.boolean().default(false),
  /** Server-side grants for the REST API. */
  roomCreate: z.boolean().default(false),
  roomList: z.boolean().default(false),
});
export type Grants = z.infer<typeof Grants>;
export type GrantsInput = z.input<typeof Grants>;

/** The JWT claims of an access token (RFC 7519 names where they exist). */
export const TokenClaims = z.object({
  iss: z.string().min(1),
  sub: z.string().min(1).max(256),
  name: z.string().max(256).optional(),
  metadata: z.string().max(4096).optional(),
  iat: z.number().int().optional(),
  nbf: z.number().int().optional(),
  exp: z.number().int(),
  jti: z.string().optional(),
  grants: Grants,
});
export type TokenClaims = z.infer<typeof TokenClaims>;
