import { randomInt } from 'node:crypto';
import { RtpHeader, RtpPacket } from 'werift';
import type { Participant, PublishedTrack, Room } from '@liveport/media';
import type { LiveConversation } from '../conversation/LiveConversation.ts';
import type { SttProvider } from '../providers/stt/types.ts';
import type { TtsProvider } from '../providers/tts/types.ts';
import { VoiceSession, type VoiceEvent, type VoiceTurnTaking } from './VoiceSession.ts';

export interface VoiceAgentOptions extends VoiceTurnTaking {
  room: Room;
  conversation: LiveConversation;
  stt: SttProvider;
  tts: TtsProvider;
  identity?: string;
  /** the agent left the room (stopped, alone too long, the room closed) */
  onClose?: () => void;
}

const OPUS_PAYLOAD_TYPE = 111;
/** how long the agent waits in a room nobody else is in before it leaves */
const ALONE_MS = 20_000;

/**
 * The AI agent as a member of a room, inside the node: it hears the customer's microphone
 * track straight from the SFU (no network hop, no decryption) and publishes its voice as an
 * ordinary audio track that every other participant receives like a person's.
 */
export class VoiceAgent {
  readonly participant: Participant;
  readonly session: VoiceSession;
  private readonly write: (rtp: RtpPacket) => void;
  private readonly ssrc = randomInt(1, 2 ** 32 - 1);
  private sequence = randomInt(0, 65535);
  private listening?: { track: PublishedTrack; off: () => void };
  private readonly roomListeners: (() => void)[] = [];
  private closed = false;
  private aloneTimer?: ReturnType<typeof setTimeout>;
  private readonly eventListeners = new Set<(event: VoiceEvent) => void>();

  constructor(private readonly options: VoiceAgentOptions) {
    const { room } = options;
    this.participant = room.join({
      identity: options.identity ?? `agent-${options.conversation.id.slice(0, 8)}`,
      name: 'AI assistant',
      metadata: JSON.stringify({ agent: true, conversationId: options.conversation.id }),
      permissions: { subscribe: false, publish: ['microphone'], publishData: true },
      signal: () => undefined,
      local: true,
    });
    this.session = new VoiceSession({
      conversation: options.conversation,
      stt: options.stt,
      tts: options.tts,
      bargeInMinMs: options.bargeInMinMs,
      endSilenceMs: options.endSilenceMs,
      completeEndSilenceMs: options.completeEndSilenceMs,
      earlyRecognitionMs: options.earlyRecognitionMs,
      preemptiveReply: options.preemptiveReply,
      vad: options.vad,
      send: (payload, timestamp, marker) => this.sendVoice(payload, timestamp, marker),
      onEvent: (event) => {
        for (const listener of this.eventListeners) listener(event);
      },
    });
    const published = this.participant.publishLocal(
      { kind: 'audio', source: 'microphone', name: 'assistant voice', muted: false },
      { mimeType: 'audio/opus', clockRate: 48_000 },
      this.ssrc,
    );
    this.write = published.write;
    // Listen to whoever speaks in the room: the first person's microphone, and the next one
    // if that person leaves.
    for (const p of room.participants.values()) {
      for (const track of p.published.values()) this.consider(p, track);
    }
    const onPublished = (p: Participant, track: PublishedTrack) => this.consider(p, track);
    const onGone = (_p: Participant, track: PublishedTrack) => {
      if (this.listening?.track !== track) return;
      this.listening.off();
      this.listening = undefined;
      for (const other of room.participants.values()) {
        for (const t of other.published.values()) this.consider(other, t);
      }
    };
    // Alone in the room for a while: leave, so the room can close like any empty one.
    const onLeft = () => {
      const people = [...room.participants.values()].some((p) => !p.local);
      clearTimeout(this.aloneTimer);
      if (!people) this.aloneTimer = setTimeout(() => this.close(), ALONE_MS);
    };
    const onJoined = () => clearTimeout(this.aloneTimer);
    room.on('trackPublished', onPublished);
    room.on('trackUnpublished', onGone);
    room.on('participantLeft', onLeft);
    room.on('participantJoined', onJoined);
    room.on('closed', () => this.close());
    this.roomListeners.push(
      () => room.off('trackPublished', onPublished),
      () => room.off('trackUnpublished', onGone),
      () => room.off('participantLeft', onLeft),
      () => room.off('participantJoined', onJoined),
    );
  }

  get identity(): string {
    return this.participant.identity;
  }

  onEvent(listener: (event: VoiceEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  private consider(p: Participant, track: PublishedTrack): void {
    if (this.listening || p === this.participant || p.local || track.kind !== 'audio' || !track.bound) return;
    const off = track.tap((rtp) => this.session.hearOpus(rtp.payload));
    this.listening = { track, off };
  }

  private sendVoice(payload: Buffer, timestamp: number, marker: boolean): void {
    if (this.closed) return;
    this.sequence = (this.sequence + 1) & 0xffff;
    const header = new RtpHeader({
      payloadType: OPUS_PAYLOAD_TYPE,
      sequenceNumber: this.sequence,
      timestamp: timestamp >>> 0,
      ssrc: this.ssrc,
      marker,
    });
    this.write(new RtpPacket(header, payload));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.aloneTimer);
    this.listening?.off();
    for (const off of this.roomListeners) off();
    this.session.close();
    if (!this.options.room.isClosed) this.options.room.leave(this.participant, 'client_leave');
    this.eventListeners.clear();
    this.options.onClose?.();
  }
}
