export { Room } from './Room.ts';
export type { ConnectOptions, DataPacket, PublishOptions, RoomEvents, SendDataOptions } from './Room.ts';
export { RemoteParticipant } from './Participant.ts';
export { LocalTrack, RemoteTrack } from './tracks.ts';
export type { ConnectionStats } from './stats.ts';
export { ErrorCode, LiveportError } from '@liveport/protocol/client';
export type {
  LeaveReason,
  ParticipantInfo,
  RoomInfo,
  TrackInfo,
  TrackSource,
} from '@liveport/protocol/client';
