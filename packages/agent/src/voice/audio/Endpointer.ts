/**
 * Turn-taking over VAD decisions: when did the customer start a turn, and when did it end?
 *
 * A pure state machine: the caller passes each frame's decision with its audio time, so tests
 * (and replays of recorded calls) run without real time. Every event carries the time the
 * thing happened in the audio, not the time it was confirmed: barge-in metrics and "what did the
 * customer hear before cutting in" both need the former.
 */
import { VAD_FRAME_MS } from './Vad.ts';

export interface EndpointerOptions {
  /**
   * voiced time needed to call it speech (ms). Also the barge-in minimum: shorter bursts (a
   * cough, a click, a quick "mm") are reported as noise. Leading assistants use 160–500 ms.
   */
  minSpeechMs?: number;
  /** inside a burst not yet confirmed, a gap longer than this ends it (ms) */
  maxOnsetGapMs?: number;
  /** silence that ends a turn (ms) */
  endSilenceMs?: number;
  /** silence that ends a turn whose transcript already reads as complete (ms) */
  completeEndSilenceMs?: number;
  /** the hint: does this (partial) transcript read as a finished sentence or question? */
  isTranscriptComplete?: (text: string) => boolean;
  /** the VAD's `decisionDelayMs`: subtracted so times are those of the audio */
  detectorDelayMs?: number;
  /** length of one VAD frame (ms) */
  frameMs?: number;
}

export type EndpointerEvent =
  | {
      type: 'speechStart';
      /** when the speech began */
      onsetMs: number;
      /** when it was confirmed: onset + minSpeechMs at the earliest */
      confirmedAtMs: number;
    }
  | {
      type: 'speechEnd';
      onsetMs: number;
      /** when the speech stopped: the start of the silence that ended the turn */
      endMs: number;
      /** when the turn was declared over: end + the silence that was waited for */
      confirmedAtMs: number;
      /** whether the shortened silence of a complete transcript applied */
      completeTranscript: boolean;
    }
  | {
      type: 'noise';
      startMs: number;
      endMs: number;
      /** voiced time inside the burst (ms) */
      voicedMs: number;
    };

export type EndpointerState = 'silence' | 'onset' | 'speech' | 'trailing';

/**
 * Ends with sentence punctuation, or (for recognizers that do not punctuate) opens like a
 * question and has enough words to be one. Errs towards "not complete": ending a turn early
 * cuts the customer off, waiting the normal silence only costs a few hundred ms.
 */
export function looksLikeCompleteSentence(text: string): boolean {
  const t = text.trim();
  if (!t) return false;
  const words = t.split(/\s+/u).length;
  if (/[.!?。！？؟]["'”’)]*$/u.test(t)) return words >= 2 || /[。！？]$/u.test(t);
  return (
    words >= 4 &&
    /^(where|what|when|why|who|which|how|can|could|do|does|did|is|are|was|will|would)\b/iu.test(t) &&
    !/\b(and|or|but|the|a|an|my|to|of|for|with|um|uh)$/iu.test(t)
  );
}

export class Endpointer {
  private readonly minSpeech: number;
  private readonly maxOnsetGap: number;
  private readonly endSilence: number;
  private readonly completeEndSilence: number;
  private readonly isComplete: (text: string) => boolean;
  private readonly delay: number;
  private readonly frameMs: number;

  private current: EndpointerState = 'silence';
  private onsetMs = 0;
  private voicedMs = 0;
  private lastVoicedEndMs = 0;
  private transcriptComplete = false;

  constructor(options: EndpointerOptions = {}) {
    this.minSpeech = options.minSpeechMs ?? 200;
    this.maxOnsetGap = options.maxOnsetGapMs ?? 100;
    this.endSilence = options.endSilenceMs ?? 600;
    this.completeEndSilence = options.completeEndSilenceMs ?? 250;
    this.isComplete = options.isTranscriptComplete ?? looksLikeCompleteSentence;
    this.delay = options.detectorDelayMs ?? 0;
    this.frameMs = options.frameMs ?? VAD_FRAME_MS;
  }

  get state(): EndpointerState {
    return this.current;
  }

  /** How long the customer has been silent inside a turn, at `frameEndMs` (0 outside a pause). */
  pauseMs(frameEndMs: number): number {
    return this.current === 'trailing' ? Math.max(0, frameEndMs - this.delay - this.lastVoicedEndMs) : 0;
  }

  /** Whether the customer holds the floor (confirmed speech, possibly pausing). */
  get inTurn(): boolean {
    return this.current === 'speech' || this.current === 'trailing';
  }

  /**
   * One VAD frame. `frameEndMs` is the audio time at the end of the frame, on any clock the
   * caller keeps consistent (the RTP clock of the customer's track is the natural one).
   */
  push(speech: boolean, frameEndMs: number): EndpointerEvent | null {
    const end = frameEndMs - this.delay;
    const start = end - this.frameMs;
    switch (this.current) {
      case 'silence':
        if (!speech) return null;
        this.current = 'onset';
        this.onsetMs = start;
        this.voicedMs = 0;
        this.transcriptComplete = false;
        return this.voiced(start, end);
      case 'onset':
        if (speech) return this.voiced(start, end);
        if (end - this.lastVoicedEndMs > this.maxOnsetGap) {
          this.current = 'silence';
          return {
            type: 'noise',
            startMs: this.onsetMs,
            endMs: this.lastVoicedEndMs,
            voicedMs: this.voicedMs,
          };
        }
        return null;
      case 'speech':
        if (speech) {
          this.lastVoicedEndMs = end;
          return null;
        }
        this.current = 'trailing';
        return this.checkEnd(frameEndMs);
      case 'trailing':
        if (speech) {
          this.current = 'speech';
          this.lastVoicedEndMs = end;
          return null;
        }
        return this.checkEnd(frameEndMs);
    }
  }

  /**
   * The latest (partial) transcript of the current turn. If it reads as complete and the
   * customer has already been silent for the shortened time, the turn ends now.
   */
  setTranscript(text: string, nowMs: number): EndpointerEvent | null {
    if (!this.inTurn) return null;
    this.transcriptComplete = this.isComplete(text);
    return this.current === 'trailing' ? this.checkEnd(nowMs) : null;
  }

  /** Forget the current turn (e.g. the call was put on hold). */
  reset(): void {
    this.current = 'silence';
    this.voicedMs = 0;
    this.transcriptComplete = false;
  }

  private voiced(start: number, end: number): EndpointerEvent | null {
    this.voicedMs += end - start;
    this.lastVoicedEndMs = end;
    if (this.voicedMs < this.minSpeech) return null;
    this.current = 'speech';
    return { type: 'speechStart', onsetMs: this.onsetMs, confirmedAtMs: end + this.delay };
  }

  /** `nowMs` on the caller's clock, as the decision is made then. */
  private checkEnd(nowMs: number): EndpointerEvent | null {
    const needed = this.transcriptComplete ? this.completeEndSilence : this.endSilence;
    if (nowMs - this.delay - this.lastVoicedEndMs < needed) return null;
    this.current = 'silence';
    return {
      type: 'speechEnd',
      onsetMs: this.onsetMs,
      endMs: this.lastVoicedEndMs,
      confirmedAtMs: nowMs,
      completeTranscript: this.transcriptComplete,
    };
  }
}
