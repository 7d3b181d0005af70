/**
 * The part of the protocol a browser needs, without the runtime schemas (and so without zod):
 * the SDK imports this to stay small. The node validates; clients trust the node.
 */
export { ErrorCode, LiveportError } from './errors.ts';
export { TypedEmitter } from './emitter.ts';
export type { EventMap } from './emitter.ts';
export { MAX_DATA_BYTES, MAX_SIGNAL_BYTES, PROTOCOL_VERSION } from './constants.ts';
export type {
  ClientMessageInput,
  IceCandidate,
  JoinedMessage,
  LossyDataFrame,
  PeerTarget,
  ServerMessage,
} from './signal.ts';
export type { LeaveReason, ParticipantInfo, RoomInfo, TrackInfo, TrackKind, VideoLayer } from './models.ts';
export type { TrackSource } from './grants.ts';
