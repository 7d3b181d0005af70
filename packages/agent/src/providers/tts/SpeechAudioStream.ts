/**
 * A TtsStream fed by its engine (a process's stdout, an HTTP body): the engine pushes PCM as it
 * comes, the voice session iterates it. Bytes become samples here, so an odd byte split across
 * two reads never shifts the audio by half a sample.
 */
import type { TtsStream } from './types.ts';

/** audio held for a slow reader before the engine is asked to pause (about 1 s at 24 kHz) */
const HIGH_WATER_SAMPLES = 24_000;

export interface SpeechAudioSource {
  /** the reader has caught up: the engine may send again */
  resume(): void;
  /** the reader has fallen behind: the engine should stop reading for a while */
  pause(): void;
  /** the listener is gone: stop synthesis and free what it holds */
  stop(): void;
}

export class SpeechAudioStream implements TtsStream {
  private readonly chunks: Int16Array[] = [];
  private queuedSamples = 0;
  private carry: number | undefined;
  private ended = false;
  private cancelled = false;
  private failure: unknown;
  private wake: (() => void) | undefined;
  private paused = false;
  private source: SpeechAudioSource | undefined;

  constructor(private rate: number) {}

  /** the engine's rate; an engine that learns it from its output (a WAV header) sets it before the first chunk */
  get sampleRate(): number {
    return this.rate;
  }

  set sampleRate(rate: number) {
    this.rate = rate;
  }

  attach(source: SpeechAudioSource): void {
    this.source = source;
    if (this.cancelled) source.stop();
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /**
   * Little-endian 16-bit samples, in whatever pieces the engine read them. Copied byte for byte
   * into the samples' memory: every platform Node runs on here is little-endian.
   */
  pushBytes(bytes: Uint8Array): void {
    if (this.ended || bytes.length === 0) return;
    const lead = this.carry === undefined ? 0 : 1;
    const count = (bytes.length + lead) >> 1;
    if (count === 0) {
      this.carry = bytes[0];
      return;
    }
    const samples = new Int16Array(count);
    const out = new Uint8Array(samples.buffer);
    if (this.carry !== undefined) {
      out[0] = this.carry;
      out[1] = bytes[0]!;
    }
    const whole = (count - lead) * 2;
    out.set(bytes.subarray(lead, lead + whole), lead * 2);
    this.carry = lead + whole < bytes.length ? bytes[lead + whole] : undefined;
    this.push(samples);
  }

  push(samples: Int16Array): void {
    if (this.ended || samples.length === 0) return;
    this.chunks.push(samples);
    this.queuedSamples += samples.length;
    if (this.queuedSamples > HIGH_WATER_SAMPLES && !this.paused) {
      this.paused = true;
      this.source?.pause();
    }
    this.wakeReader();
  }

  /** The engine is done: with an error, the reader gets it after the audio that came before. */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    this.wakeReader();
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.ended = true;
    this.failure = undefined;
    this.chunks.length = 0;
    this.queuedSamples = 0;
    this.source?.stop();
    this.wakeReader();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Int16Array> {
    try {
      for (;;) {
        const chunk = this.chunks.shift();
        if (chunk) {
          this.queuedSamples -= chunk.length;
          if (this.paused && this.queuedSamples <= HIGH_WATER_SAMPLES / 2) {
            this.paused = false;
            this.source?.resume();
          }
          yield chunk;
          continue;
        }
        if (this.ended) {
          if (this.failure !== undefined) throw this.failure;
          return;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      // a reader that stops early (break, an exception) no longer wants the rest
      if (!this.ended || this.chunks.length > 0) this.cancel();
    }
  }

  private wakeReader(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
