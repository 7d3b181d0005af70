import type { ChatServerEvent } from '@liveport/protocol';
import type { LiveConversation } from '../conversation/LiveConversation.ts';
import type { SttProvider, SttStream } from '../providers/stt/types.ts';
import type { TtsProvider, TtsStream } from '../providers/tts/types.ts';
import {
  Endpointer,
  OpusCodec,
  Resampler,
  RtpOpusPacer,
  createVad,
  looksLikeCompleteSentence,
  type EndpointerEvent,
  type VoiceActivityDetector,
} from './audio/index.ts';
import type { ReplyPreview } from '../conversation/ReplyPreview.ts';
import { SentenceChunker } from './SentenceChunker.ts';
import { VoiceMetrics, type VoiceTurnMetrics } from './VoiceMetrics.ts';

export interface VoiceSessionOptions extends VoiceTurnTaking {
  conversation: LiveConversation;
  stt: SttProvider;
  tts: TtsProvider;
  /** one RTP payload of the agent's voice, due now */
  send(payload: Buffer, rtpTimestamp: number, marker: boolean): void;
  /** spoken captions and state changes, for the widget and the SDK */
  onEvent?: (event: VoiceEvent) => void;
}

/** How the agent takes turns: the settings an operator tunes. */
export interface VoiceTurnTaking {
  /** customer speech needed to interrupt the agent (ms); shorter bursts are noise */
  bargeInMinMs?: number;
  /** silence that ends the customer's turn (ms) */
  endSilenceMs?: number;
  /** silence that ends a turn whose transcript is clearly complete (ms) */
  completeEndSilenceMs?: number;
  vad?: 'energy' | 'silero' | 'auto';
  /**
   * A pause this long (ms) inside the customer's speech starts recognizing what was said so
   * far; the words then shorten the endpointing when they read as complete. 0 turns it off.
   */
  earlyRecognitionMs?: number;
  /**
   * While the endpointer still waits, let the model start answering the words heard so far
   * (dropped unheard if the customer goes on). Costs model calls for pauses that were not
   * the end; saves the model's first-token time on every turn.
   */
  preemptiveReply?: boolean;
}

export type VoiceEvent =
  | { type: 'listening' }
  | { type: 'hearing' }
  | { type: 'thinking'; transcript: string }
  | { type: 'speaking'; messageId: string }
  | { type: 'interrupted'; messageId: string; heard: string; stopMs: number }
  | { type: 'resumed'; messageId: string };

/** Epoch milliseconds with sub-millisecond precision: one clock for audio, pacer and metrics. */
const now = () => performance.timeOrigin + performance.now();
const STT_RATE = 16_000;
const PLAYBACK_RATE = 48_000;
/** audio kept from before a turn is confirmed, so the recognizer hears its first syllable */
const PREROLL_MS = 300;
/** short replies that acknowledge rather than take the floor: the agent keeps talking */
const BACKCHANNEL =
  /^(uh[- ]?huh|mm+[- ]?hmm*|m+|hmm+|ok(ay)?|yeah|yes|yep|right|sure|i see|aha|ah|oh|sí|vale|ajá|claro|d'accord|oui|ja|genau|嗯|对|好|是的|نعم|اها)[.!?,\s]*$/iu;

/** default pause that starts recognition before the turn is known to be over */
const EARLY_RECOGNITION_MS = 150;

/** The customer paused: their words so far, recognized (and perhaps answered) in advance. */
interface EarlyTurn {
  stt: SttStream;
  /** undefined when recognition failed: the turn's own stream decides then */
  transcript: Promise<string | undefined>;
  preview?: ReplyPreview;
  dropped: boolean;
}

interface Sentence {
  text: string;
  /** where its audio starts in the reply's 48 kHz timeline, and how long it is */
  start: number;
  samples: number;
}

/** One reply being spoken: its text as it streams in, and its audio as it is synthesized. */
interface Reply {
  messageId: string;
  chunker: SentenceChunker;
  sentences: Sentence[];
  /** all audio synthesized so far, in order (kept for a resume after a false interruption) */
  audio: Int16Array[];
  samples: number;
  /** the pacer's sentMs when this reply began to play */
  pacerBase: number;
  textDone: boolean;
  queue: string[];
  tts?: TtsStream;
  synthesizing: boolean;
  cancelled: boolean;
  tokens: number;
}

/**
 * The agent's voice side of one conversation: hears the customer (Opus -> 16 kHz -> VAD ->
 * endpointer -> speech recognition), hands each finished utterance to the conversation as a
 * message, and speaks the replies as they stream (sentence by sentence into speech synthesis,
 * into a real-time Opus pacer). Customer speech while the agent talks pauses it at once; what
 * the customer said decides whether that was an interruption (the reply is cut to what was
 * heard, generation cancelled) or a cough or an "uh-huh" (the agent goes on where it stopped).
 */
export class VoiceSession {
  readonly metrics = new VoiceMetrics();
  get conversationId(): string {
    return this.conversation.id;
  }
  private readonly conversation: LiveConversation;
  private readonly decoder = new OpusCodec();
  private readonly down = new Resampler(PLAYBACK_RATE, STT_RATE);
  private readonly vad: VoiceActivityDetector;
  private readonly endpointer: Endpointer;
  private readonly pacer: RtpOpusPacer;
  private readonly frame: Int16Array;
  private frameFill = 0;
  /** recent 16 kHz audio with the time its end was heard, for the pre-roll */
  private readonly recent: { pcm: Int16Array; endMs: number }[] = [];
  /** audio clock: epoch ms of the sample `heardSamples` will be */
  private audioAnchor = 0;
  private heardSamples = 0;
  private stt?: SttStream;
  /** the current turn's audio (pre-roll included), for recognition before it ends */
  private utterance: Int16Array[] = [];
  private early?: EarlyTurn;
  private reply?: Reply;
  private bargeIn?: { onsetMs: number; stopMs: number; heardMs: number };
  private turn?: VoiceTurnMetrics;
  private turns = 0;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(private readonly options: VoiceSessionOptions) {
    this.conversation = options.conversation;
    this.vad = createVad(options.vad ?? 'auto');
    this.frame = new Int16Array(this.vad.frameSamples);
    this.endpointer = new Endpointer({
      minSpeechMs: options.bargeInMinMs ?? 200,
      endSilenceMs: options.endSilenceMs ?? 600,
      completeEndSilenceMs: options.completeEndSilenceMs ?? 250,
      isTranscriptComplete: looksLikeCompleteSentence,
      detectorDelayMs: this.vad.decisionDelayMs,
    });
    this.pacer = new RtpOpusPacer({
      send: (payload, timestamp, marker) => {
        this.metrics.mark(this.turn, 'firstPacketMs', now());
        options.send(payload, timestamp, marker);
      },
      onIdle: (idle) => {
        if (idle.flushed && this.reply?.textDone && !this.reply.synthesizing && !this.reply.queue.length) {
          this.reply = undefined;
          this.emit({ type: 'listening' });
        }
      },
      onError: (err) => console.error('voice pacer:', err),
    });
    this.unsubscribe = this.conversation.subscribe((event) => this.onConversationEvent(event));
  }

  private emit(event: VoiceEvent): void {
    this.options.onEvent?.(event);
  }

  /** The agent is talking (or about to): customer speech now is a barge-in. */
  get speaking(): boolean {
    return (
      !!this.reply &&
      !this.reply.cancelled &&
      (this.pacer.playing || this.pacer.queuedMs > 0 || this.reply.synthesizing)
    );
  }

  // ---- hearing -----------------------------------------------------------------------------------

  /** One Opus payload of the customer's audio, as it arrives. */
  hearOpus(payload: Uint8Array): void {
    if (this.closed) return;
    let pcm48: Int16Array;
    try {
      pcm48 = this.decoder.decode(payload);
    } catch {
      return; // a corrupt packet is a lost one
    }
    this.hearPcm48(pcm48);
  }

  private hearPcm48(pcm48: Int16Array): void {
    const pcm = this.down.process(pcm48);
    const arrival = now();
    // Keep the audio clock on the wall clock: packets stop in silence (DTX) or bunch up on
    // jitter, and a drift would misdate onsets against the agent's own audio.
    const expected = this.audioAnchor + (this.heardSamples / STT_RATE) * 1000;
    if (this.heardSamples === 0 || Math.abs(arrival - expected) > 120) {
      this.audioAnchor = arrival - (pcm.length / STT_RATE) * 1000;
      this.heardSamples = 0;
    }
    let offset = 0;
    while (offset < pcm.length) {
      const take = Math.min(pcm.length - offset, this.frame.length - this.frameFill);
      this.frame.set(pcm.subarray(offset, offset + take), this.frameFill);
      this.frameFill += take;
      offset += take;
      if (this.frameFill === this.frame.length) {
        this.frameFill = 0;
        this.heardSamples += this.frame.length;
        this.onFrame(this.frame.slice(), this.audioAnchor + (this.heardSamples / STT_RATE) * 1000);
      }
    }
  }

  private onFrame(frame: Int16Array, endMs: number): void {
    this.recent.push({ pcm: frame, endMs });
    while (this.recent.length && this.recent[0]!.endMs < endMs - PREROLL_MS - 1000) this.recent.shift();
    const decision = this.vad.push(frame);
    if (this.stt) {
      this.stt.write(frame);
      this.utterance.push(frame);
    }
    const event = this.endpointer.push(decision.speech, endMs);
    if (event) this.onEndpoint(event);
    else this.watchPause(endMs);
  }

  /**
   * Inside a turn: a pause long enough starts recognizing the words so far, so that the turn
   * can end on the shorter silence of a complete sentence and the model can start answering;
   * speech again drops that work.
   */
  private watchPause(endMs: number): void {
    if (this.endpointer.state === 'speech') return this.dropEarly();
    const after = this.options.earlyRecognitionMs ?? EARLY_RECOGNITION_MS;
    if (!this.stt || this.early || after <= 0 || this.endpointer.pauseMs(endMs) < after) return;
    const stt = this.options.stt.start({ language: this.conversation.record.language });
    for (const pcm of this.utterance) stt.write(pcm);
    const early: EarlyTurn = {
      stt,
      dropped: false,
      transcript: stt.finish().then(
        (result) => result.text.trim(),
        () => undefined,
      ),
    };
    this.early = early;
    void early.transcript.then((text) => this.onEarlyTranscript(early, text));
  }

  private onEarlyTranscript(early: EarlyTurn, text: string | undefined): void {
    if (early.dropped || this.early !== early || this.closed || text === undefined) return;
    const event = this.endpointer.setTranscript(text, now());
    if (event) return this.onEndpoint(event);
    if (text && this.options.preemptiveReply !== false && !this.bargeIn && !this.speaking)
      early.preview = this.conversation.preview(text);
  }

  private dropEarly(): void {
    const early = this.early;
    if (!early) return;
    this.early = undefined;
    early.dropped = true;
    early.stt.cancel();
    early.preview?.discard();
  }

  private onEndpoint(event: EndpointerEvent): void {
    if (event.type === 'noise') {
      this.metrics.noises++;
      return;
    }
    if (event.type === 'speechStart') {
      this.emit({ type: 'hearing' });
      if (this.speaking) this.pause(event.onsetMs);
      this.stt?.cancel();
      this.dropEarly();
      this.stt = this.options.stt.start({ language: this.conversation.record.language });
      this.utterance = this.recent.filter((r) => r.endMs > event.onsetMs - PREROLL_MS).map((r) => r.pcm);
      for (const pcm of this.utterance) this.stt.write(pcm);
      return;
    }
    const stt = this.stt;
    const early = this.early;
    this.stt = undefined;
    this.early = undefined;
    this.utterance = [];
    if (!stt) return early && void early.preview?.discard();
    const turn = this.metrics.startTurn(event.endMs, event.confirmedAtMs - event.endMs);
    // No speech since the early recognition (it would have been dropped): its words are the
    // turn's, and the turn's own stream is only needed if that recognition failed.
    const final = early
      ? early.transcript.then((text) => {
          if (text === undefined) return stt.finish().then((r) => r.text.trim());
          stt.cancel();
          return text;
        })
      : stt.finish().then((r) => r.text.trim());
    void final.then(
      (text) => this.onTranscript(text, turn, early?.preview),
      (err: unknown) => {
        console.error('speech recognition failed:', (err as Error).message);
        this.onTranscript('', turn, early?.preview);
      },
    );
  }

  private onTranscript(text: string, turn: VoiceTurnMetrics, preview?: ReplyPreview): void {
    if (this.closed || !this.acceptTranscript(text, turn, preview)) preview?.discard();
  }

  /** Returns whether the preview (if any) was handed to the conversation. */
  private acceptTranscript(text: string, turn: VoiceTurnMetrics, preview?: ReplyPreview): boolean {
    if (this.closed) return false;
    this.metrics.mark(turn, 'transcriptMs', now());
    turn.transcript = text;
    const barge = this.bargeIn;
    this.bargeIn = undefined;
    // A short "yes" is a backchannel while the agent explains, but an answer when it has asked
    // to confirm a change: then it is a turn like any other.
    const awaitingAnswer = !!this.conversation.record.state.pending;
    if (barge && this.reply && (text === '' || (!awaitingAnswer && BACKCHANNEL.test(text)))) {
      // Not an interruption: a cough, a click, an "uh-huh". Go on from where it stopped.
      this.metrics.bargeIn({ onsetAt: barge.onsetMs, stopMs: barge.stopMs, resumed: true });
      this.emit({ type: 'resumed', messageId: this.reply.messageId });
      this.resume(barge.heardMs);
      this.metrics.turns.pop();
      return false;
    }
    if (barge) {
      this.metrics.bargeIn({ onsetAt: barge.onsetMs, stopMs: barge.stopMs, resumed: false });
      this.cutReply(barge);
      turn.interrupted = true;
    }
    if (!text) {
      this.metrics.turns.pop();
      this.emit({ type: 'listening' });
      return false;
    }
    this.turn = turn;
    this.emit({ type: 'thinking', transcript: text });
    if (preview) turn.preemptive = true;
    const clientId = `voice-${Date.now().toString(36)}-${++this.turns}`;
    void this.conversation.customerMessage(clientId, text, undefined, preview);
    return true;
  }

  // ---- speaking ----------------------------------------------------------------------------------

  private onConversationEvent(event: ChatServerEvent): void {
    if (this.closed) return;
    if (event.type === 'message_start' && event.role === 'assistant') {
      this.startReply(event.messageId);
    } else if (event.type === 'token' && this.reply?.messageId === event.messageId) {
      const reply = this.reply;
      if (reply.tokens++ === 0) this.metrics.mark(this.turn, 'llmFirstTokenMs', now());
      this.speak(reply, reply.chunker.push(event.delta));
    } else if (
      event.type === 'message_end' &&
      event.role === 'assistant' &&
      this.reply?.messageId === event.messageId
    ) {
      const reply = this.reply;
      if (event.interrupted || reply.cancelled) return;
      // A message said whole (a handoff notice) has no tokens: speak its text.
      const rest = reply.tokens === 0 ? [event.text] : reply.chunker.flush();
      if (reply.tokens === 0) this.metrics.mark(this.turn, 'llmFirstTokenMs', now());
      reply.textDone = true;
      this.speak(reply, rest);
    }
  }

  private startReply(messageId: string): void {
    // A new reply replaces one still playing (the customer typed a question meanwhile).
    if (this.reply && !this.reply.cancelled) this.stopReply(this.reply);
    this.reply = {
      messageId,
      chunker: new SentenceChunker(),
      sentences: [],
      audio: [],
      samples: 0,
      pacerBase: this.pacer.sentMs,
      textDone: false,
      queue: [],
      synthesizing: false,
      cancelled: false,
      tokens: 0,
    };
    this.emit({ type: 'speaking', messageId });
  }

  private speak(reply: Reply, pieces: string[]): void {
    for (const piece of pieces) if (piece.trim()) reply.queue.push(piece);
    if (reply.queue.length) this.metrics.mark(this.turn, 'firstSentenceMs', now());
    if (!reply.synthesizing) void this.synthesize(reply);
  }

  /** Synthesize the reply's sentences one after another, streaming each into the pacer. */
  private async synthesize(reply: Reply): Promise<void> {
    reply.synthesizing = true;
    try {
      while (reply.queue.length && !reply.cancelled && !this.closed) {
        const text = reply.queue.shift()!;
        const sentence: Sentence = { text, start: reply.samples, samples: 0 };
        reply.sentences.push(sentence);
        const stream = this.options.tts.synthesize(text, { language: this.conversation.record.language });
        reply.tts = stream;
        const up =
          stream.sampleRate === PLAYBACK_RATE ? undefined : new Resampler(stream.sampleRate, PLAYBACK_RATE);
        try {
          for await (const chunk of stream) {
            if (reply.cancelled) break;
            this.metrics.mark(this.turn, 'ttsFirstAudioMs', now());
            this.append(reply, sentence, up ? up.process(chunk) : chunk);
          }
          if (up && !reply.cancelled) this.append(reply, sentence, up.flush());
        } catch (err) {
          if (!reply.cancelled) console.error('speech synthesis failed:', (err as Error).message);
        }
        reply.tts = undefined;
      }
    } finally {
      reply.synthesizing = false;
    }
    if (!reply.cancelled && reply.textDone && !reply.queue.length) this.pacer.flush();
    else if (!reply.cancelled && reply.queue.length) void this.synthesize(reply);
  }

  private append(reply: Reply, sentence: Sentence, pcm: Int16Array): void {
    if (!pcm.length) return;
    reply.audio.push(pcm);
    reply.samples += pcm.length;
    sentence.samples += pcm.length;
    if (this.bargeIn) return; // paused: kept for a resume
    this.pacer.push(pcm);
  }

  /** Customer speech while the agent talks: silence the agent now; decide later. */
  private pause(onsetMs: number): void {
    const reply = this.reply!;
    const stop = this.pacer.clear();
    const lastSent = stop.lastSentAtMs === null ? now() : performance.timeOrigin + stop.lastSentAtMs;
    const heardMs = Math.max(0, stop.sentMs - reply.pacerBase);
    this.bargeIn = { onsetMs, stopMs: Math.max(0, lastSent - onsetMs), heardMs };
  }

  /** A false interruption: play the rest of the reply from where the customer stopped hearing it. */
  private resume(heardMs: number): void {
    const reply = this.reply!;
    let skip = Math.round((heardMs * PLAYBACK_RATE) / 1000);
    reply.pacerBase = this.pacer.sentMs - heardMs;
    for (const chunk of reply.audio) {
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      this.pacer.push(skip ? chunk.subarray(skip) : chunk);
      skip = 0;
    }
    if (reply.textDone && !reply.synthesizing && !reply.queue.length) this.pacer.flush();
  }

  /** A real interruption: stop generating, and keep in the history only what was heard. */
  private cutReply(barge: { heardMs: number; stopMs: number }): void {
    const reply = this.reply;
    if (!reply) return;
    const heard = heardText(reply.sentences, Math.round((barge.heardMs * PLAYBACK_RATE) / 1000));
    this.stopReply(reply);
    this.conversation.interrupt(reply.messageId, heard);
    this.emit({ type: 'interrupted', messageId: reply.messageId, heard, stopMs: barge.stopMs });
  }

  private stopReply(reply: Reply): void {
    reply.cancelled = true;
    reply.queue.length = 0;
    reply.tts?.cancel();
    this.pacer.clear();
    if (this.reply === reply) this.reply = undefined;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.reply) this.stopReply(this.reply);
    this.stt?.cancel();
    this.dropEarly();
    this.unsubscribe();
    this.pacer.close();
    this.vad.close();
    this.decoder.destroy();
  }
}

/**
 * The words of a reply the customer heard before cutting in: whole sentences that played,
 * then the share of the sentence in progress that its played audio covers.
 */
export function heardText(sentences: readonly Sentence[], heardSamples: number): string {
  const parts: string[] = [];
  for (const s of sentences) {
    if (heardSamples >= s.start + s.samples) {
      parts.push(s.text);
      continue;
    }
    if (heardSamples > s.start && s.samples > 0) {
      const words = s.text.split(/\s+/u);
      const count = Math.floor(((heardSamples - s.start) / s.samples) * words.length);
      if (count > 0) parts.push(words.slice(0, count).join(' '));
    }
    break;
  }
  return parts.join(' ');
}
