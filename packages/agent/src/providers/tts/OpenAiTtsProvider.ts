/**
 * TTS through any server that speaks OpenAI's `/audio/speech`: raw PCM (24 kHz, 16-bit, mono)
 * asked for so that audio can be played as the body arrives, with no decoder in between.
 */
import type { IncomingMessage } from 'node:http';
import type { HttpExchange } from '../llm/HttpExchange.ts';
import { SpeechApiClient, type SpeechApiConfig } from '../stt/SpeechApiClient.ts';
import { SpeechError } from '../stt/types.ts';
import { SpeechAudioStream } from './SpeechAudioStream.ts';
import { WavFormatError, WavStreamReader } from './wav.ts';
import type { TtsProvider, TtsStream } from './types.ts';

export interface OpenAiTtsConfig extends SpeechApiConfig {
  /** e.g. gpt-4o-mini-tts, tts-1 */
  model: string;
  /** the default voice, e.g. alloy; a voice in `synthesize`'s options wins */
  voice?: string;
  /** 0.25 to 4; the server's default (1) when not set */
  speed?: number;
  /** languages the voices speak (BCP 47 primary tags); OpenAI's documented list when not set */
  languages?: readonly string[];
}

/** what `response_format: 'pcm'` means in OpenAI's API */
const PCM_SAMPLE_RATE = 24_000;
const DEFAULT_VOICE = 'alloy';
/** the languages OpenAI documents for its speech voices (those its Whisper models were trained on) */
const OPENAI_TTS_LANGUAGES = [
  'af',
  'ar',
  'az',
  'be',
  'bg',
  'bs',
  'ca',
  'cs',
  'cy',
  'da',
  'de',
  'el',
  'en',
  'es',
  'et',
  'fa',
  'fi',
  'fr',
  'gl',
  'he',
  'hi',
  'hr',
  'hu',
  'hy',
  'id',
  'is',
  'it',
  'ja',
  'kk',
  'kn',
  'ko',
  'lt',
  'lv',
  'mi',
  'mk',
  'mr',
  'ms',
  'ne',
  'nl',
  'no',
  'pl',
  'pt',
  'ro',
  'ru',
  'sk',
  'sl',
  'sr',
  'sv',
  'sw',
  'ta',
  'th',
  'tl',
  'tr',
  'uk',
  'ur',
  'vi',
  'zh',
];
/** encodings a server may send even though PCM was asked for, which this client cannot play */
const COMPRESSED_AUDIO = /^audio\/(mpeg|mp3|ogg|opus|aac|flac|webm)/;
const WAV_AUDIO = /^audio\/(wav|x-wav|wave|vnd\.wave)/;

export class OpenAiTtsProvider implements TtsProvider {
  readonly kind = 'openai-compatible';
  readonly languages: readonly string[];
  readonly model: string;
  private readonly client: SpeechApiClient;

  constructor(private readonly config: OpenAiTtsConfig) {
    this.client = new SpeechApiClient(config);
    this.model = config.model;
    this.languages = config.languages ?? OPENAI_TTS_LANGUAGES;
  }

  synthesize(text: string, options: { language: string; voice?: string; signal?: AbortSignal }): TtsStream {
    const stream = new SpeechAudioStream(PCM_SAMPLE_RATE);
    if (options.signal?.aborted || text.trim() === '') {
      stream.end();
      return stream;
    }
    const cancelled = new AbortController();
    const onAbort = (): void => stream.cancel();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let resume: (() => void) | undefined;
    let paused = false;
    stream.attach({
      pause: () => (paused = true),
      resume: () => {
        paused = false;
        resume?.();
      },
      stop: () => {
        cancelled.abort();
        resume?.();
      },
    });
    const body = Buffer.from(
      JSON.stringify({
        model: this.model,
        input: text,
        voice: options.voice ?? this.config.voice ?? DEFAULT_VOICE,
        response_format: 'pcm',
        ...(this.config.speed !== undefined ? { speed: this.config.speed } : {}),
      }),
    );
    let delivered = false;
    const consume = async (exchange: HttpExchange, response: IncomingMessage): Promise<void> => {
      const wav = wavReaderFor(response);
      for (let reads = exchange.read(); reads; reads = exchange.read()) {
        if (reads.length === 0) await exchange.waitForData();
        for (const read of reads) {
          const pcm = wav ? pcmOfWav(wav, read) : read;
          if (wav?.format) stream.sampleRate = wav.format.sampleRate;
          if (pcm.length > 0) delivered = true;
          stream.pushBytes(pcm);
        }
        // leave the socket to HttpExchange's own pause while the listener is behind
        while (paused && !cancelled.signal.aborted) await new Promise<void>((r) => (resume = r));
      }
    };
    this.client
      .call(
        {
          path: '/audio/speech',
          body,
          contentType: 'application/json',
          accept: 'audio/pcm',
          signal: cancelled.signal,
        },
        consume,
        () => delivered,
      )
      .then(
        () => stream.end(),
        (err: unknown) => stream.end(err),
      )
      .finally(() => options.signal?.removeEventListener('abort', onAbort));
    return stream;
  }
}

function badAudio(detail: string): SpeechError {
  return new SpeechError(
    'SPEECH_BAD_REQUEST',
    `the speech provider sent audio this client cannot play: ${detail}`,
  );
}

function pcmOfWav(wav: WavStreamReader, read: Buffer): Buffer {
  try {
    return wav.push(read);
  } catch (err) {
    // not worth a retry: the same server would send the same thing
    throw err instanceof WavFormatError ? badAudio(err.message) : err;
  }
}

/** A server that answers PCM gets none; one that sends a WAV anyway gets its header read; anything else is refused. */
function wavReaderFor(response: IncomingMessage): WavStreamReader | undefined {
  const type = (response.headers['content-type'] ?? '').toLowerCase();
  if (WAV_AUDIO.test(type)) return new WavStreamReader();
  if (COMPRESSED_AUDIO.test(type)) throw badAudio(`${type} instead of raw PCM`);
  return undefined;
}
