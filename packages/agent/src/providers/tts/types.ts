/**
 * Text to speech, streamed: the first chunk of audio should come as soon as the provider has
 * it, so the agent starts talking before the sentence is fully synthesized. Audio out is 16-bit
 * signed little-endian mono PCM at `sampleRate`.
 */
export interface TtsProvider {
  readonly kind: string;
  /** languages it has voices for (BCP 47 primary tags) */
  readonly languages: readonly string[];
  synthesize(text: string, options: { language: string; voice?: string; signal?: AbortSignal }): TtsStream;
}

export interface TtsStream extends AsyncIterable<Int16Array> {
  readonly sampleRate: number;
  /** stop synthesis (barge-in): the iterator ends, the process or request is cancelled */
  cancel(): void;
}
