/**
 * Speech to text. Audio in is 16-bit signed little-endian mono PCM at `sampleRate` (16 kHz
 * unless a provider says otherwise). A streaming provider hears the utterance while it is
 * spoken and may give partial transcripts; a batch provider (an upload API) hears it whole
 * after the end of speech. The voice session treats both the same way: write while speaking,
 * `finish()` at the end of speech, await the final transcript.
 */
export interface SttProvider {
  /** 'pocketsphinx', 'openai-compatible', ... */
  readonly kind: string;
  /** the rate it wants audio at */
  readonly sampleRate: number;
  /** languages it can transcribe (BCP 47 primary tags); empty means any */
  readonly languages: readonly string[];
  /** open one utterance's stream */
  start(options: { language: string; signal?: AbortSignal }): SttStream;
}

export interface SttStream {
  write(pcm: Int16Array): void;
  /** end of speech: returns the final transcript ('' for none) */
  finish(): Promise<SttResult>;
  /** drop the utterance (a false start, a barge-in that was only noise) */
  cancel(): void;
  /** partial transcripts while speaking, for live captions (streaming providers only) */
  onPartial?: (text: string) => void;
}

export interface SttResult {
  text: string;
  language?: string;
  /** 0..1 when the provider says */
  confidence?: number;
}

export type SpeechErrorCode =
  | 'SPEECH_UNAVAILABLE'
  | 'SPEECH_BAD_REQUEST'
  | 'SPEECH_RATE_LIMITED'
  | 'SPEECH_AUTH_FAILED'
  | 'SPEECH_ABORTED';

export class SpeechError extends Error {
  constructor(
    readonly code: SpeechErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SpeechError';
  }
}
