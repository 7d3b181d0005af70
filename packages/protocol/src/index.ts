export { ErrorCode, LiveportError } from './errors.ts';
export { Grants, TokenClaims, TrackSource } from './grants.ts';
export type { GrantsInput } from './grants.ts';
export { LeaveReason, ParticipantInfo, RoomInfo, TrackInfo, TrackKind, VideoLayer } from './models.ts';
export { ClientMessage, IceCandidate, PeerTarget, parseClientMessage } from './signal.ts';
export type {
  ClientMessageInput,
  JoinedMessage,
  LossyDataFrame,
  ParseResult,
  ServerMessage,
} from './signal.ts';
export { TypedEmitter } from './emitter.ts';
export type { EventMap } from './emitter.ts';
export { MAX_DATA_BYTES, MAX_SIGNAL_BYTES, PROTOCOL_VERSION } from './constants.ts';
export { ChatClientMessage, MAX_CHAT_TEXT, parseChatMessage } from './chat.ts';
export type {
  BrainInfo,
  Card,
  CardButton,
  CardField,
  CardKind,
  ChatParseResult,
  ChatRole,
  ChatServerEvent,
  ChatServerMessage,
  HandoffInfo,
  PageContext,
} from './chat.ts';
export { DeskClientMessage, StaffStatus, parseDeskMessage } from './desk.ts';
export type {
  DeskCallback,
  DeskColleague,
  DeskContext,
  DeskItem,
  DeskOffer,
  DeskParseResult,
  DeskServerMessage,
  StaffInfo,
} from './desk.ts';
