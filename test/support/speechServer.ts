/**
 * A stand-in for OpenAI-compatible speech servers: real HTTP, real wire formats. It takes
 * `/v1/audio/transcriptions` as a multipart/form-data upload (parsed, the WAV checked) and answers
 * a scripted transcript; it answers `/v1/audio/speech` with raw 24 kHz PCM streamed in chunks.
 *
 *   const speech = await startSpeechServer({ transcript: 'where is my order', transcriptionMs: 150, firstAudioMs: 100 });
 *   new OpenAiSttProvider({ baseUrl: speech.baseUrl, model: 'whisper-1' });
 *   speech.transcriptions()[0].fields.language  // what the client sent
 */
import { spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** An HTTP error answered instead of the real response. */
export interface ScriptedFailure {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TranscriptionUpload {
  /** the form's text fields: model, language, response_format, ... */
  fields: Record<string, string>;
  filename: string;
  contentType: string;
  sampleRate: number;
  /** the uploaded samples */
  pcm: Int16Array;
}

export interface SpeechRequestBody {
  model?: string;
  input?: string;
  voice?: string;
  response_format?: string;
  speed?: number;
  [key: string]: unknown;
}

export interface RecordedSpeechRequest {
  path: string;
  headers: IncomingMessage['headers'];
  receivedAt: number;
  /** for /v1/audio/transcriptions */
  upload?: TranscriptionUpload;
  /** for /v1/audio/speech */
  body?: SpeechRequestBody;
  /** settles when the exchange is over: 'aborted' when the client closed the connection first */
  ended: Promise<'completed' | 'aborted'>;
  /** when the first audio chunk was written (speech only) */
  firstAudioAt?: number;
}

export interface SpeechServerOptions {
  /** the transcript answered for an upload (default: 'where is my order') */
  transcript?: string | ((upload: TranscriptionUpload) => string);
  /** time from the whole upload received to the answer (the reference benchmark uses 150) */
  transcriptionMs?: number;
  /** time from the request to the first audio chunk (the reference benchmark uses 100) */
  firstAudioMs?: number;
  /** audio per chunk, in milliseconds of sound (default 40) */
  chunkMs?: number;
  /** wait between chunks after the first (default 0: as fast as the socket takes them) */
  chunkIntervalMs?: number;
  /** the audio answered for a text, 24 kHz (default: espeak-ng's speech when installed, else a tone) */
  audio?: (body: SpeechRequestBody) => Int16Array;
  /**
   * answers a request with an error before anything else, e.g. a 429 for the first call; `attempt`
   * counts the requests to that path since this function was set (1 for the first)
   */
  intercept?: (path: string, attempt: number) => ScriptedFailure | undefined;
  /** false keeps the history out of memory (the benchmark sends thousands of requests) */
  record?: boolean;
}

export interface SpeechServer {
  /** e.g. http://127.0.0.1:40123/v1, as a client's baseUrl */
  baseUrl: string;
  port: number;
  requests: RecordedSpeechRequest[];
  transcriptions(): TranscriptionUpload[];
  speechRequests(): RecordedSpeechRequest[];
  /** the options are live: a test may change the script or the latencies between requests */
  options: SpeechServerOptions;
  close(): Promise<void>;
}

export const SPEECH_SAMPLE_RATE = 24_000;

/** Waits, but no longer than the client stays. */
function wait(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || res.destroyed) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function invalidRequest(res: ServerResponse, message: string, param: string | null = null): void {
  sendJson(res, 400, { error: { message, type: 'invalid_request_error', param, code: null } });
}

/** Splits a multipart/form-data body into its parts' headers and bytes. */
export function parseMultipart(
  body: Buffer,
  contentType: string,
): Array<{ name: string; filename?: string; type?: string; data: Buffer }> {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!boundary) throw new Error('no boundary in the content type');
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Array<{ name: string; filename?: string; type?: string; data: Buffer }> = [];
  let position = body.indexOf(delimiter);
  if (position < 0) throw new Error('the body does not start with the boundary');
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString() === '--') return parts;
    const headerEnd = body.indexOf('\r\n\r\n', position);
    if (headerEnd < 0) throw new Error('a part has no end of headers');
    const headers = body.subarray(position + 2, headerEnd).toString('utf8');
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headerEnd + 4);
    if (next < 0) throw new Error('a part is not closed by the boundary');
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
    if (name === undefined) throw new Error('a part has no name');
    const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1];
    const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim();
    parts.push({
      name,
      ...(filename !== undefined ? { filename } : {}),
      ...(type ? { type } : {}),
      data: body.subarray(headerEnd + 4, next),
    });
    position = next + 2;
  }
}

/** A complete 16-bit mono PCM WAV, checked as strictly as an upload API would. */
export function parseWavFile(file: Buffer): { sampleRate: number; pcm: Int16Array } {
  if (
    file.length < 44 ||
    file.toString('latin1', 0, 4) !== 'RIFF' ||
    file.toString('latin1', 8, 12) !== 'WAVE'
  ) {
    throw new Error('not a WAV file');
  }
  if (file.readUInt32LE(4) !== file.length - 8) throw new Error('the RIFF length does not match the file');
  let offset = 12;
  let format: { sampleRate: number; channels: number; bits: number; tag: number } | undefined;
  while (offset + 8 <= file.length) {
    const id = file.toString('latin1', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    const start = offset + 8;
    if (id === 'fmt ') {
      format = {
        tag: file.readUInt16LE(start),
        channels: file.readUInt16LE(start + 2),
        sampleRate: file.readUInt32LE(start + 4),
        bits: file.readUInt16LE(start + 14),
      };
    } else if (id === 'data') {
      if (!format || format.tag !== 1 || format.channels !== 1 || format.bits !== 16) {
        throw new Error('expected 16-bit mono PCM');
      }
      if (start + size !== file.length) throw new Error('the data length does not match the file');
      const pcm = new Int16Array(size / 2);
      new Uint8Array(pcm.buffer).set(file.subarray(start, start + size));
      return { sampleRate: format.sampleRate, pcm };
    }
    offset = start + size + (size & 1);
  }
  throw new Error('no data chunk');
}

const spokenCache = new Map<string, Int16Array>();

/** espeak-ng's speech for the text, resampled to 24 kHz; a 440 Hz tone when espeak-ng is not installed. */
export function spokenAudio(text: string): Int16Array {
  const cached = spokenCache.get(text);
  if (cached) return cached;
  const run = spawnSync('espeak-ng', ['-v', 'en-us', '--stdout', '--stdin'], {
    input: text,
    maxBuffer: 64 << 20,
  });
  let audio: Int16Array;
  if (run.status === 0 && run.stdout.length > 44) {
    const rate = run.stdout.readUInt32LE(24);
    const body = run.stdout.subarray(44);
    const source = new Int16Array(body.length >> 1);
    new Uint8Array(source.buffer).set(body.subarray(0, source.length * 2));
    audio = resample(source, rate, SPEECH_SAMPLE_RATE);
  } else {
    audio = tone(440, Math.max(0.5, text.length * 0.06));
  }
  spokenCache.set(text, audio);
  return audio;
}

/** Linear interpolation: upsampling speech from 22.05 to 24 kHz needs no filter to stay speech. */
function resample(source: Int16Array, from: number, to: number): Int16Array {
  const out = new Int16Array(Math.floor((source.length * to) / from));
  for (let i = 0; i < out.length; i++) {
    const position = (i * from) / to;
    const index = Math.floor(position);
    const a = source[index] ?? 0;
    const b = source[index + 1] ?? a;
    out[i] = Math.round(a + (b - a) * (position - index));
  }
  return out;
}

export function tone(frequency: number, seconds: number, rate = SPEECH_SAMPLE_RATE): Int16Array {
  const out = new Int16Array(Math.round(seconds * rate));
  for (let i = 0; i < out.length; i++)
    out[i] = Math.round(8000 * Math.sin((2 * Math.PI * frequency * i) / rate));
  return out;
}

export async function startSpeechServer(options: SpeechServerOptions = {}): Promise<SpeechServer> {
  const requests: RecordedSpeechRequest[] = [];
  const sockets = new Set<Socket>();
  const attempts = new Map<string, number>();
  let countedFor: SpeechServerOptions['intercept'];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let settle: (outcome: 'completed' | 'aborted') => void = () => {};
      const ended = new Promise<'completed' | 'aborted'>((resolve) => (settle = resolve));
      res.on('close', () => settle(res.writableFinished ? 'completed' : 'aborted'));
      const recorded: RecordedSpeechRequest = {
        path: (req.url ?? '/').split('?')[0] ?? '/',
        headers: req.headers,
        receivedAt: performance.now(),
        ended,
      };
      if (options.record !== false) requests.push(recorded);
      route(req, recorded, Buffer.concat(chunks), res).catch(() => res.destroy());
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function route(
    req: IncomingMessage,
    request: RecordedSpeechRequest,
    body: Buffer,
    res: ServerResponse,
  ): Promise<void> {
    if (countedFor !== options.intercept) {
      countedFor = options.intercept;
      attempts.clear();
    }
    const attempt = (attempts.get(request.path) ?? 0) + 1;
    attempts.set(request.path, attempt);
    const failure = options.intercept?.(request.path, attempt);
    if (failure) {
      const payload = failure.body ?? {
        error: { message: `scripted ${failure.status}`, type: 'server_error' },
      };
      return sendJson(res, failure.status, payload, failure.headers);
    }
    if (req.method === 'POST' && request.path === '/v1/audio/transcriptions') {
      return transcribe(request, body, req.headers['content-type'] ?? '', res);
    }
    if (req.method === 'POST' && request.path === '/v1/audio/speech') return speak(request, body, res);
    sendJson(res, 404, {
      error: { message: `Unknown request URL: ${req.method} ${request.path}`, type: 'invalid_request_error' },
    });
  }

  async function transcribe(
    request: RecordedSpeechRequest,
    body: Buffer,
    contentType: string,
    res: ServerResponse,
  ): Promise<void> {
    if (!contentType.startsWith('multipart/form-data')) {
      return invalidRequest(res, 'the request must be multipart/form-data');
    }
    let upload: TranscriptionUpload;
    try {
      const parts = parseMultipart(body, contentType);
      const file = parts.find((part) => part.name === 'file');
      if (!file) return invalidRequest(res, "you must provide a 'file'", 'file');
      const fields: Record<string, string> = {};
      for (const part of parts) if (part !== file) fields[part.name] = part.data.toString('utf8');
      if (!fields.model) return invalidRequest(res, "you must provide a 'model'", 'model');
      const wav = parseWavFile(file.data);
      upload = { fields, filename: file.filename ?? '', contentType: file.type ?? '', ...wav };
    } catch (err) {
      return invalidRequest(
        res,
        `could not read the upload: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    request.upload = upload;
    const { transcript = 'where is my order' } = options;
    const text = typeof transcript === 'function' ? transcript(upload) : transcript;
    await wait(options.transcriptionMs ?? 0, res);
    if (res.destroyed) return;
    const format = upload.fields.response_format ?? 'json';
    if (format === 'text') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end(text);
    }
    sendJson(res, 200, {
      text,
      usage: { type: 'duration', seconds: Math.ceil(upload.pcm.length / upload.sampleRate) },
    });
  }

  async function speak(request: RecordedSpeechRequest, raw: Buffer, res: ServerResponse): Promise<void> {
    let body: SpeechRequestBody;
    try {
      body = JSON.parse(raw.toString('utf8')) as SpeechRequestBody;
    } catch {
      return invalidRequest(res, 'the body must be JSON');
    }
    request.body = body;
    if (typeof body.input !== 'string' || body.input === '')
      return invalidRequest(res, "'input' is required", 'input');
    if (typeof body.model !== 'string') return invalidRequest(res, "'model' is required", 'model');
    if (body.response_format !== 'pcm') {
      return invalidRequest(res, 'this stand-in streams response_format pcm only', 'response_format');
    }
    const audio = (options.audio ?? ((b: SpeechRequestBody) => spokenAudio(b.input ?? '')))(body);
    res.writeHead(200, { 'content-type': 'audio/pcm', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    await wait(options.firstAudioMs ?? 0, res);
    const samplesPerChunk = Math.max(1, Math.round(((options.chunkMs ?? 40) * SPEECH_SAMPLE_RATE) / 1000));
    const bytes = Buffer.from(audio.buffer, audio.byteOffset, audio.byteLength);
    for (let start = 0; start < audio.length && !res.destroyed; start += samplesPerChunk) {
      if (start > 0) await wait(options.chunkIntervalMs ?? 0, res);
      if (res.destroyed) return;
      request.firstAudioAt ??= performance.now();
      res.write(bytes.subarray(start * 2, Math.min(audio.length, start + samplesPerChunk) * 2));
    }
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    transcriptions: () => requests.flatMap((r) => (r.upload ? [r.upload] : [])),
    speechRequests: () => requests.filter((r) => r.path === '/v1/audio/speech'),
    options,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
