import type { ParticipantInfo } from '@liveport/protocol/client';
import { RemoteTrack } from './tracks.ts';

/** Someone else in the room. */
export class RemoteParticipant {
  readonly tracks = new Map<string, RemoteTrack>();

  constructor(public info: ParticipantInfo) {
    for (const t of info.tracks) this.tracks.set(t.sid, new RemoteTrack(t, info.sid));
  }

  get sid(): string {
    return this.info.sid;
  }
  get identity(): string {
    return this.info.identity;
  }
  get name(): string {
    return this.info.name;
  }
}
