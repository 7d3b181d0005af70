/**
 * STT through any server that speaks OpenAI's `/audio/transcriptions` (OpenAI, Groq, a
 * faster-whisper or whisper.cpp server): a batch provider. The utterance is held while it is
 * spoken and uploaded as one WAV at the end of speech.
 */
import { randomBytes } from 'node:crypto';
import { wavFile } from '../tts/wav.ts';
import { SpeechApiClient, speechAborted, type SpeechApiConfig } from './SpeechApiClient.ts';
import { SpeechError, type SttProvider, type SttResult, type SttStream } from './types.ts';

export interface OpenAiSttConfig extends SpeechApiConfig {
  /** e.g. whisper-1, gpt-4o-mini-transcribe, Systran/faster-whisper-small */
  model: string;
  /** the rate the voice session resamples to; Whisper models work at 16 kHz */
  sampleRate?: number;
  /** languages it transcribes (BCP 47 primary tags); empty (the default) means any */
  languages?: readonly string[];
}

const DEFAULT_SAMPLE_RATE = 16_000;
/** about 20 minutes at 16 kHz: beyond it the upload would pass OpenAI's 25 MB limit */
const MAX_UTTERANCE_BYTES = 24 * 1024 * 1024;

export class OpenAiSttProvider implements SttProvider {
  readonly kind = 'openai-compatible';
  readonly sampleRate: number;
  readonly languages: readonly string[];
  readonly model: string;
  private readonly client: SpeechApiClient;

  constructor(config: OpenAiSttConfig) {
    this.client = new SpeechApiClient(config);
    this.model = config.model;
    this.sampleRate = config.sampleRate ?? DEFAULT_SAMPLE_RATE;
    this.languages = config.languages ?? [];
  }

  start(options: { language: string; signal?: AbortSignal }): SttStream {
    return new UploadedUtterance(this, options.language, options.signal);
  }

  /** One transcription request for a whole utterance. */
  async transcribe(pcm: Uint8Array, language: string, signal: AbortSignal | undefined): Promise<SttResult> {
    const upload = new MultipartForm();
    upload.field('model', this.model);
    // OpenAI takes ISO 639-1; the region part of a BCP 47 tag means nothing to it
    const primary = language.trim().toLowerCase().split(/[-_]/)[0];
    if (primary) upload.field('language', primary);
    upload.field('response_format', 'json');
    upload.file('file', 'utterance.wav', 'audio/wav', wavFile(pcm, this.sampleRate));
    const body = upload.finish();
    return this.client.call(
      {
        path: '/audio/transcriptions',
        body,
        contentType: upload.contentType,
        accept: 'application/json',
        signal,
      },
      async (exchange) => {
        const text = await exchange.readText();
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          // a server that ignores response_format and answers with the bare transcript
          return { text: text.trim() };
        }
        if (
          typeof parsed !== 'object' ||
          parsed === null ||
          !('text' in parsed) ||
          typeof parsed.text !== 'string'
        ) {
          throw new SpeechError(
            'SPEECH_BAD_REQUEST',
            `the speech provider sent no transcript: ${text.slice(0, 200)}`,
          );
        }
        const result: SttResult = { text: parsed.text.trim() };
        if ('language' in parsed && typeof parsed.language === 'string') result.language = parsed.language;
        return result;
      },
    );
  }
}

class UploadedUtterance implements SttStream {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private state: 'open' | 'finishing' | 'cancelled' = 'open';
  private readonly cancelled = new AbortController();
  private readonly onCallerAbort = (): void => this.cancel();

  constructor(
    private readonly provider: OpenAiSttProvider,
    private readonly language: string,
    private readonly callerSignal: AbortSignal | undefined,
  ) {
    if (callerSignal?.aborted) this.cancel();
    else callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  write(pcm: Int16Array): void {
    if (this.state !== 'open' || this.bytes + pcm.byteLength > MAX_UTTERANCE_BYTES) return;
    // a copy: the caller may reuse its buffer for the next frame
    this.chunks.push(Buffer.from(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength)));
    this.bytes += pcm.byteLength;
  }

  async finish(): Promise<SttResult> {
    if (this.state === 'cancelled') throw speechAborted();
    if (this.state === 'finishing')
      throw new SpeechError('SPEECH_BAD_REQUEST', 'finish() was already called');
    this.state = 'finishing';
    const pcm = Buffer.concat(this.chunks, this.bytes);
    this.chunks = [];
    try {
      // no upload for nothing: every transcription is billed, and silence comes back as hallucinated words
      if (pcm.length === 0) return { text: '' };
      return await this.provider.transcribe(pcm, this.language, this.cancelled.signal);
    } finally {
      this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
    }
  }

  cancel(): void {
    if (this.state === 'cancelled') return;
    this.state = 'cancelled';
    this.chunks = [];
    this.cancelled.abort();
  }
}

/** A multipart/form-data body as browsers send it: one part per field, then the file. */
class MultipartForm {
  private readonly boundary = `----liveport${randomBytes(12).toString('hex')}`;
  private readonly parts: Buffer[] = [];

  get contentType(): string {
    return `multipart/form-data; boundary=${this.boundary}`;
  }

  field(name: string, value: string): void {
    this.parts.push(
      Buffer.from(`--${this.boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }

  file(name: string, filename: string, type: string, content: Buffer): void {
    this.parts.push(
      Buffer.from(
        `--${this.boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
      ),
      content,
      Buffer.from('\r\n'),
    );
  }

  finish(): Buffer {
    return Buffer.concat([...this.parts, Buffer.from(`--${this.boundary}--\r\n`)]);
  }
}
