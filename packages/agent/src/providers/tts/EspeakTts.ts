/**
 * The embedded TTS: Debian's espeak-ng, one process per sentence, its WAV read from stdout as it
 * is written. espeak-ng is GPL: it runs as a separate program and is never linked or bundled,
 * which keeps Liveport's own licence free.
 *
 * Measured on this machine (2 cores): the first audio of a 5.6 s English sentence arrives about
 * 10 ms after the spawn, the whole sentence in about 16 ms.
 */
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { SpeechError } from '../stt/types.ts';
import { SpeechAudioStream } from './SpeechAudioStream.ts';
import { WavFormatError, WavStreamReader } from './wav.ts';
import type { TtsProvider, TtsStream } from './types.ts';

export interface EspeakConfig {
  /** the program; a bare name is looked up in PATH */
  binary?: string;
  /** speaking rate in words per minute (espeak-ng accepts 80 to 450; its default is 175) */
  wordsPerMinute?: number;
  /** the languages espeak-ng has, as `espeak-ng --voices` names them; `open` asks the program */
  voices?: readonly string[];
}

/** what espeak-ng writes for every voice except MBROLA ones; the WAV header has the last word */
const ESPEAK_SAMPLE_RATE = 22_050;
const DEFAULT_WORDS_PER_MINUTE = 175;

/**
 * Where a BCP 47 tag's plain primary subtag is not the voice a customer expects: English as
 * most shoppers hear it, Mandarin for Chinese, Brazilian Portuguese (most of the speakers).
 */
const PREFERRED_VOICE: Record<string, string> = {
  en: 'en-us',
  zh: 'cmn',
  'zh-hk': 'yue',
  'zh-yue': 'yue',
  yue: 'yue',
  fr: 'fr-fr',
  pt: 'pt-br',
  'pt-pt': 'pt',
  no: 'nb',
  iw: 'he',
  in: 'id',
};

/** what espeak-ng 1.51 has among the languages of online shopping, when nobody asked the program */
const COMMON_VOICES = [
  'ar',
  'cmn',
  'cs',
  'da',
  'de',
  'el',
  'en-gb',
  'en-us',
  'es',
  'es-419',
  'fi',
  'fr-fr',
  'he',
  'hi',
  'hu',
  'id',
  'it',
  'ja',
  'ko',
  'ms',
  'nb',
  'nl',
  'pl',
  'pt',
  'pt-br',
  'ro',
  'ru',
  'sv',
  'th',
  'tr',
  'uk',
  'vi',
  'yue',
];

/** Spanish outside Spain (a country or the 419 region) shares espeak-ng's Latin American voice */
const LATIN_AMERICAN_SPANISH = /^es-(419|[a-z]{2})$/;

/** a variant as `espeak-ng --voices=variant` lists them (f2, m3, klatt, Andrea): nothing that could be an option */
const VARIANT = /^[A-Za-z][A-Za-z0-9_]*$/;

export class EspeakTts implements TtsProvider {
  readonly kind = 'espeak-ng';
  readonly languages: readonly string[];
  private readonly binary: string;
  private readonly wordsPerMinute: number;
  private readonly voices: ReadonlySet<string>;

  constructor(config: EspeakConfig = {}) {
    this.binary = config.binary ?? 'espeak-ng';
    this.wordsPerMinute = Math.min(
      450,
      Math.max(80, Math.round(config.wordsPerMinute ?? DEFAULT_WORDS_PER_MINUTE)),
    );
    this.voices = new Set((config.voices ?? COMMON_VOICES).map((v) => v.toLowerCase()));
    const primaries = new Set<string>();
    for (const voice of this.voices) {
      const primary = voice.split('-')[0]!;
      // Mandarin, Cantonese and Hakka are what a conversation tagged zh speaks
      primaries.add(primary === 'cmn' || primary === 'yue' || primary === 'hak' ? 'zh' : primary);
    }
    this.languages = [...primaries].sort();
  }

  /** A provider that knows which languages the installed espeak-ng speaks. */
  static async open(config: Omit<EspeakConfig, 'voices'> = {}): Promise<EspeakTts> {
    const binary = config.binary ?? 'espeak-ng';
    const listing = await new Promise<string>((resolve, reject) => {
      execFile(binary, ['--voices'], { timeout: 5_000 }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      );
    }).catch((err: unknown) => {
      throw new SpeechError(
        'SPEECH_UNAVAILABLE',
        `cannot run ${binary}: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
    // columns: Pty Language Age/Gender VoiceName File Other-languages
    const voices = listing
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/)[1])
      .filter((name): name is string => name !== undefined && name !== '');
    return new EspeakTts({ ...config, voices });
  }

  /** The espeak-ng voice for a BCP 47 tag, or undefined when it has none. */
  voiceFor(language: string): string | undefined {
    const tag = language.trim().toLowerCase().replace(/_/g, '-');
    const primary = tag.split('-')[0] ?? '';
    const candidates = [
      PREFERRED_VOICE[tag],
      tag,
      LATIN_AMERICAN_SPANISH.test(tag) && tag !== 'es-es' ? 'es-419' : undefined,
      PREFERRED_VOICE[primary],
      primary,
    ];
    return candidates.find((voice): voice is string => voice !== undefined && this.voices.has(voice));
  }

  synthesize(text: string, options: { language: string; voice?: string; signal?: AbortSignal }): TtsStream {
    const stream = new SpeechAudioStream(ESPEAK_SAMPLE_RATE);
    const voice = this.voiceFor(options.language);
    if (!voice) {
      stream.end(
        new SpeechError(
          'SPEECH_BAD_REQUEST',
          `espeak-ng has no voice for the language '${options.language}'`,
        ),
      );
      return stream;
    }
    if (options.signal?.aborted || text.trim() === '') {
      stream.end();
      return stream;
    }
    const variant = options.voice && VARIANT.test(options.voice) ? `+${options.voice}` : '';
    let child: ChildProcessByStdio<Writable, Readable, Readable>;
    try {
      child = spawn(
        this.binary,
        ['-v', `${voice}${variant}`, '-s', String(this.wordsPerMinute), '--stdout', '--stdin'],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
    } catch (err) {
      stream.end(new SpeechError('SPEECH_UNAVAILABLE', `cannot start espeak-ng: ${String(err)}`));
      return stream;
    }
    new EspeakRun(child, stream, options.signal).speak(text);
    return stream;
  }
}

/** One espeak-ng process, from the text on its stdin to the end of its WAV on stdout. */
class EspeakRun {
  private readonly wav = new WavStreamReader();
  private stderr = '';

  constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, Readable>,
    private readonly stream: SpeechAudioStream,
    private readonly signal: AbortSignal | undefined,
  ) {}

  speak(text: string): void {
    const { child, stream, signal } = this;
    const onAbort = (): void => stream.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.attach({
      pause: () => child.stdout.pause(),
      resume: () => child.stdout.resume(),
      // SIGKILL: a barge-in wants silence now, and espeak-ng holds nothing worth a clean exit
      stop: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    });
    child.stdout.on('data', (bytes: Buffer) => this.onAudio(bytes));
    child.stderr.on('data', (bytes: Buffer) => {
      if (this.stderr.length < 2_000) this.stderr += bytes.toString('utf8');
    });
    // a process that dies before reading its text closes the pipe under us: the exit says why
    child.stdin.on('error', () => {});
    child.on('error', (err) =>
      stream.end(new SpeechError('SPEECH_UNAVAILABLE', `cannot run espeak-ng: ${err.message}`)),
    );
    child.on('close', (code, killedBy) => {
      signal?.removeEventListener('abort', onAbort);
      if (stream.isCancelled) return;
      if (code === 0 && this.wav.format) return stream.end();
      const why = this.stderr.trim() || (killedBy ? `killed by ${killedBy}` : `exit code ${code}`);
      // espeak-ng exits 0 even for an unknown voice, having written nothing
      stream.end(new SpeechError('SPEECH_UNAVAILABLE', `espeak-ng produced no audio: ${why}`));
    });
    child.stdin.end(text);
  }

  private onAudio(bytes: Buffer): void {
    if (this.stream.isCancelled) return;
    let pcm: Buffer;
    try {
      pcm = this.wav.push(bytes);
    } catch (err) {
      const message = err instanceof WavFormatError ? err.message : String(err);
      this.stream.end(new SpeechError('SPEECH_UNAVAILABLE', `espeak-ng wrote unexpected audio: ${message}`));
      this.child.kill('SIGKILL');
      return;
    }
    if (this.wav.format) this.stream.sampleRate = this.wav.format.sampleRate;
    this.stream.pushBytes(pcm);
  }
}
