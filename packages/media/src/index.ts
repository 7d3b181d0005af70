import { fanOutQueue } from './FanOutQueue.ts';

export { Sfu } from './Sfu.ts';
export type { SfuEvents } from './Sfu.ts';
export { Room } from './Room.ts';
export type { DataMessage, JoinRequest, RoomOptions } from './Room.ts';
export { Participant } from './Participant.ts';
export type { ParticipantPermissions } from './Participant.ts';
export { PublishedTrack } from './PublishedTrack.ts';
export type { PublishRequest } from './PublishedTrack.ts';
export { RtpMunger, seqDiff } from './RtpMunger.ts';
export { RedPacker } from './RedPacker.ts';
export { KeyframeCache } from './KeyframeCache.ts';
export { RepeatQueue } from './RepeatQueue.ts';
/** packets shed by the forwarding queue for being too late, since the node started */
export const fanOutDropped = (): number => fanOutQueue.dropped;
export { isKeyframe, isH264Keyframe, isVp8Keyframe, vp8TemporalId } from './keyframe.ts';
export { announceAddress } from './PeerTransport.ts';
export { defaultMediaConfig } from './MediaConfig.ts';
export { participantStats, roomStats } from './QualityStats.ts';
export type { ParticipantStats, PublishedTrackStats, SubscribedTrackStats } from './QualityStats.ts';
export type { MediaConfig } from './MediaConfig.ts';
