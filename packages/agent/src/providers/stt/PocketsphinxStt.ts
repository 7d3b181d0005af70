/**
 * The embedded STT: Debian's pocketsphinx (English), one `pocketsphinx_continuous` process per
 * utterance, fed raw 16 kHz PCM while the customer speaks; closing its input at the end of speech
 * makes it print the final text and exit.
 *
 * Chosen by measurement on this machine (2 cores; espeak-ng speech, "where is my order", 1.2 s):
 * - loading the model takes 300-370 ms, so a process per utterance started at the end of speech
 *   answers 540-610 ms after it;
 * - a process started at the start of speech loads while the customer talks and has decoded
 *   nearly everything when the speech ends: the text comes 110-150 ms after the end of input, and
 *   65-95 ms without the second (flat-lexicon) search pass, which recognized no worse here
 *   (16-21 of 60 test phrases either way);
 * - a long-lived process per session would need half a second of padding silence to make its VAD
 *   close the utterance, and holds ~100 MB per session.
 * So: one process per utterance, a spare one loaded ahead (the pool), `-fwdflat no`.
 *
 * The program opens its `-infile` by name and reads it with stdio, so it cannot read the socket
 * Node gives a child as stdin: a `cat` in a shell pipeline turns it into a real pipe.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { speechAborted } from './SpeechApiClient.ts';
import { SpeechError, type SttProvider, type SttResult, type SttStream } from './types.ts';

export const POCKETSPHINX_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

export interface PocketsphinxConfig {
  /** the program; a bare name is looked up in PATH */
  binary?: string;
  /** where the three parts below are, under their Debian names (default: pocketsphinx-en-us's) */
  modelDirectory?: string;
  /** the acoustic model directory */
  acousticModel?: string;
  /** the language model; a store's own (built from its catalog and FAQ) recognizes its words far better */
  languageModel?: string;
  /** the pronunciation dictionary; must hold every word of the language model */
  dictionary?: string;
  /** processes kept loaded for the next utterances (0: each utterance waits for its own model load) */
  spares?: number;
  /** more options for the program, e.g. ['-lw', '8'] */
  extraArgs?: readonly string[];
}

const SAMPLE_RATE = 16_000;
/**
 * Peaks above this (about -10 dBFS) are scaled down to it. pocketsphinx's front end recognizes
 * loud input badly: espeak-ng's full-scale speech scored 4 of 60 test phrases as it is and 19-21
 * of 60 once brought 9-12 dB down; quieter speech (down to -26 dB) changes little.
 */
const PEAK_LIMIT = 10_000;
/** what is kept of the program's log to explain a failure */
const MAX_LOG_CHARS = 4_000;

type Recognizer = ChildProcessByStdio<Writable, Readable, Readable>;

export class PocketsphinxStt implements SttProvider {
  readonly kind = 'pocketsphinx';
  readonly sampleRate = SAMPLE_RATE;
  readonly languages: readonly string[] = ['en'];
  private readonly args: string[];
  private readonly binary: string;
  private readonly spareCount: number;
  private readonly spares: Recognizer[] = [];
  private closed = false;

  constructor(config: PocketsphinxConfig = {}) {
    const models = config.modelDirectory ?? POCKETSPHINX_MODEL_DIR;
    this.binary = config.binary ?? 'pocketsphinx_continuous';
    this.spareCount = Math.max(0, config.spares ?? 1);
    const options = {
      '-infile': '/dev/stdin',
      '-samprate': String(SAMPLE_RATE),
      '-hmm': config.acousticModel ?? `${models}/en-us`,
      '-lm': config.languageModel ?? `${models}/en-us.lm.bin`,
      '-dict': config.dictionary ?? `${models}/cmudict-en-us.dict`,
      '-fwdflat': 'no',
    };
    this.args = [...Object.entries(options).flat(), ...(config.extraArgs ?? [])];
  }

  start(options: { language: string; signal?: AbortSignal }): SttStream {
    if (this.closed) throw new SpeechError('SPEECH_UNAVAILABLE', 'the pocketsphinx provider is closed');
    const recognizer = this.spares.shift() ?? this.spawnRecognizer();
    keepAlive(recognizer, true);
    this.refill();
    return new RecognizedUtterance(recognizer, options.signal);
  }

  /** Loads the spare processes now, before the first utterance (e.g. when a voice session opens). */
  prewarm(): void {
    this.refill();
  }

  /** Stops the spare processes; utterances in progress finish. */
  close(): void {
    this.closed = true;
    for (const spare of this.spares.splice(0)) stopRecognizer(spare);
  }

  private refill(): void {
    while (!this.closed && this.spares.length < this.spareCount) {
      const spare = this.spawnRecognizer();
      // an idle spare must not keep the node's process alive
      keepAlive(spare, false);
      spare.on('exit', () => {
        const index = this.spares.indexOf(spare);
        if (index >= 0) this.spares.splice(index, 1);
      });
      this.spares.push(spare);
    }
  }

  private spawnRecognizer(): Recognizer {
    const recognizer = spawn('sh', ['-c', 'cat | exec "$0" "$@"', this.binary, ...this.args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      // its own process group, so that a cancel reaches the shell, cat and the recognizer at once
      detached: true,
    });
    // a spare that failed to start is found out by the utterance that takes it
    recognizer.on('error', () => {});
    recognizer.stdin.on('error', () => {});
    return recognizer;
  }
}

/** Kills the shell, cat and the recognizer together: killing the shell alone would leave the other two running. */
function stopRecognizer(recognizer: Recognizer): void {
  recognizer.stdin.destroy();
  const pid = recognizer.pid;
  if (pid === undefined || recognizer.exitCode !== null || recognizer.signalCode !== null) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}

function keepAlive(recognizer: Recognizer, ref: boolean): void {
  for (const handle of [recognizer, recognizer.stdin, recognizer.stdout, recognizer.stderr]) {
    if (
      'ref' in handle &&
      typeof handle.ref === 'function' &&
      'unref' in handle &&
      typeof handle.unref === 'function'
    ) {
      if (ref) handle.ref();
      else handle.unref();
    }
  }
}

/** One utterance on its own recognizer process. */
class RecognizedUtterance implements SttStream {
  onPartial?: (text: string) => void;
  private readonly segments: string[] = [];
  private pendingLine = '';
  private log = '';
  private peak = 0;
  private state: 'open' | 'finishing' | 'cancelled' = 'open';
  private readonly exited: Promise<{ code: number | null; error?: Error }>;
  private readonly onCallerAbort = (): void => this.cancel();

  constructor(
    private readonly recognizer: Recognizer,
    private readonly callerSignal: AbortSignal | undefined,
  ) {
    recognizer.stdout.setEncoding('utf8');
    recognizer.stdout.on('data', (text: string) => this.onText(text));
    recognizer.stderr.setEncoding('utf8');
    recognizer.stderr.on('data', (text: string) => {
      this.log = (this.log + text).slice(-MAX_LOG_CHARS);
    });
    this.exited = new Promise((resolve) => {
      if (recognizer.exitCode !== null || recognizer.signalCode !== null) {
        return resolve({ code: recognizer.exitCode });
      }
      recognizer.once('error', (error) => resolve({ code: null, error }));
      recognizer.once('close', (code) => resolve({ code }));
    });
    if (callerSignal?.aborted) this.cancel();
    else callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  write(pcm: Int16Array): void {
    if (this.state !== 'open' || pcm.length === 0) return;
    // a copy in any case: the pipe holds it after we return and the caller may reuse its buffer
    const scaled = new Int16Array(pcm.length);
    let peak = this.peak;
    for (let i = 0; i < pcm.length; i++) {
      const magnitude = Math.abs(pcm[i]!);
      if (magnitude > peak) peak = magnitude;
    }
    this.peak = peak;
    if (peak > PEAK_LIMIT) {
      const gain = PEAK_LIMIT / peak;
      for (let i = 0; i < pcm.length; i++) scaled[i] = Math.round(pcm[i]! * gain);
    } else {
      scaled.set(pcm);
    }
    this.recognizer.stdin.write(new Uint8Array(scaled.buffer));
  }

  async finish(): Promise<SttResult> {
    if (this.state === 'cancelled') throw speechAborted();
    if (this.state === 'finishing')
      throw new SpeechError('SPEECH_BAD_REQUEST', 'finish() was already called');
    this.state = 'finishing';
    this.recognizer.stdin.end();
    const { code, error } = await this.exited;
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
    if ((this.state as string) === 'cancelled') throw speechAborted();
    if (error || code !== 0) {
      const why = error?.message ?? lastLogLines(this.log) ?? `exit code ${code}`;
      throw new SpeechError('SPEECH_UNAVAILABLE', `pocketsphinx failed: ${why}`);
    }
    this.onText('\n');
    return { text: this.segments.join(' '), language: 'en' };
  }

  cancel(): void {
    if (this.state === 'cancelled') return;
    this.state = 'cancelled';
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
    stopRecognizer(this.recognizer);
  }

  /** Each line is the text of one stretch of speech that the program's own VAD closed. */
  private onText(text: string): void {
    const lines = (this.pendingLine + text).split('\n');
    this.pendingLine = lines.pop() ?? '';
    for (const line of lines) {
      const words = line.trim();
      if (words === '') continue;
      this.segments.push(words);
      if (this.state === 'open') this.onPartial?.(this.segments.join(' '));
    }
  }
}

/** The program's errors, without its many lines of INFO. */
function lastLogLines(log: string): string | undefined {
  const errors = log.split('\n').filter((line) => /^(ERROR|FATAL)/.test(line));
  return errors.length > 0 ? errors.slice(-3).join(' / ') : undefined;
}
