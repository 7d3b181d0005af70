import { TypedEmitter } from '@liveport/protocol/client';
import { Room, type RemoteTrack } from '@liveport/sdk';

/**
 * The page's side of one voice call with the agent: the customer's microphone, the SDK room the
 * node named, and the agent's voice playing in an audio element the widget owns. Used once:
 * a new call is a new VoiceCall. The chat (ChatClient) decides when a call starts and ends;
 * this only moves the audio.
 */

/** Why a call could not go on, for the message the widget shows. */
export type VoiceCallFailure = 'microphone_denied' | 'microphone_missing' | 'connection_failed';

export interface VoiceCallEvents {
  [event: string]: unknown[];
  /** the microphone is published: the agent can hear the customer */
  connected: [];
  failed: [VoiceCallFailure];
  /** the room went away under the call (the node ended it, the signaling connection dropped) */
  ended: [];
}

/** What the page has received of the agent's voice, from the browser's own statistics. */
export interface InboundAudio {
  packetsReceived: number;
  /** above 0 once the agent's audio held sound, not silence */
  totalAudioEnergy: number;
}

/** The browser's own echo canceller matters most here: the agent's voice plays on the same device. */
const MICROPHONE: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

export function canTalk(): boolean {
  // Pages on plain http (other than localhost) get no mediaDevices at all.
  return (
    typeof RTCPeerConnection === 'function' && typeof navigator.mediaDevices?.getUserMedia === 'function'
  );
}

export class VoiceCall extends TypedEmitter<VoiceCallEvents> {
  private microphone?: Promise<MediaStreamTrack>;
  private room?: Room;
  private ended = false;
  connected = false;

  constructor(
    /** the node's http(s) origin; the SDK finds its signaling at /rtc there */
    private readonly nodeUrl: string,
    private readonly speaker: HTMLAudioElement,
  ) {
    super();
  }

  /**
   * Join the room with the node's token, publish the microphone and play what the agent says.
   * The microphone is asked for only now, once the node said voice is on: a customer is not
   * asked for permission to then be told talking is unavailable.
   */
  async join(token: string): Promise<void> {
    if (this.microphone || this.ended) return;
    this.microphone = navigator.mediaDevices.getUserMedia({ audio: MICROPHONE }).then((stream) => {
      const track = stream.getAudioTracks()[0];
      if (!track) throw new DOMException('no audio track', 'NotFoundError');
      return track;
    });
    let track: MediaStreamTrack;
    try {
      track = await this.microphone;
    } catch (err) {
      return this.fail(microphoneFailure(err));
    }
    // Hung up while the browser was asking: the light in the tab must go out.
    if (this.ended) return track.stop();
    let room: Room;
    try {
      room = await Room.connect(this.nodeUrl, token);
    } catch {
      track.stop();
      return this.fail('connection_failed');
    }
    if (this.ended) {
      track.stop();
      void room.leave();
      return;
    }
    this.room = room;
    room.on('trackSubscribed', (remote) => this.play(remote));
    room.on('disconnected', (reason) => {
      if (reason !== 'client_leave' && !this.ended) {
        this.ended = true;
        this.emit('ended');
      }
    });
    // Media can be subscribed before the listener above was in place.
    for (const participant of room.participants.values())
      for (const remote of participant.tracks.values()) if (remote.mediaStreamTrack) this.play(remote);
    try {
      await room.publishTrack(track, { source: 'microphone', name: 'voice' });
    } catch {
      return this.fail('connection_failed');
    }
    if (this.ended) return;
    this.connected = true;
    this.emit('connected');
  }

  /** End the call here: the microphone goes off and the page leaves the room. */
  async leave(): Promise<void> {
    if (this.ended && !this.room) return;
    this.ended = true;
    this.speaker.srcObject = null;
    void this.microphone?.then((track) => track.stop()).catch(() => undefined);
    const room = this.room;
    this.room = undefined;
    await room?.leave();
  }

  /** Received audio, for tests and diagnostics; undefined before the room is joined. */
  async inboundAudio(): Promise<InboundAudio | undefined> {
    if (!this.room) return undefined;
    const stats = await this.room.getStats();
    return { packetsReceived: stats.audioPacketsReceived, totalAudioEnergy: stats.audioEnergyReceived };
  }

  private play(remote: RemoteTrack): void {
    if (remote.kind !== 'audio' || this.ended) return;
    remote.attach(this.speaker);
  }

  private fail(reason: VoiceCallFailure): void {
    if (this.ended) return;
    void this.leave();
    this.emit('failed', reason);
  }
}

function microphoneFailure(err: unknown): VoiceCallFailure {
  const name = err instanceof DOMException ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'microphone_denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'NotReadableError')
    return 'microphone_missing';
  return 'connection_failed';
}
