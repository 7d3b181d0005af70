/**
 * One client for every server that speaks OpenAI's Chat Completions: OpenAI, DeepSeek, Qwen
 * (DashScope's compatible mode), Ollama's /v1, vLLM and llama.cpp's server. Streams over node:http
 * and node:https (see HttpExchange); retries what is worth retrying, and only while nothing has
 * reached the caller yet.
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { HttpExchange, waitUnlessAborted } from './HttpExchange.ts';
import { SseParser, type SseMessage } from './sse.ts';
import { ChatChunkAssembler, errorMessageOf, toWireRequest } from './openAiWire.ts';
import { LlmError, type LlmEvent, type LlmProvider, type LlmRequest } from './types.ts';

export interface OpenAiCompatibleConfig {
  /** up to the version segment, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1 */
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** the model for `embed`; the chat model when not set (fine for Ollama and llama.cpp) */
  embeddingModel?: string;
  /** longest wait for the response to start and, once streaming, between two pieces of it */
  timeoutMs?: number;
  /** retries after the first attempt, for 429, 5xx, timeouts and refused connections */
  maxRetries?: number;
  /** first backoff step; doubles with each retry when the server names no delay */
  retryBaseDelayMs?: number;
  /** a server asking to wait longer than this is not waited for: the customer is already waiting */
  maxRetryDelayMs?: number;
  /** extra headers, e.g. OpenAI-Organization or a gateway's key */
  headers?: Record<string, string>;
}

export interface ProbeResult {
  /** model ids as the server lists them, in its order */
  models: string[];
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_RETRIES = 2;
const DEFAULT_RETRY_BASE_DELAY_MS = 500;
const DEFAULT_MAX_RETRY_DELAY_MS = 20_000;

/** Response headers as fetch (`Headers`) or node:http (`IncomingHttpHeaders`) hold them. */
function headerOf(headers: Headers | IncomingHttpHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * How long the server asked us to wait: OpenAI's `retry-after-ms` first (finer), then
 * `Retry-After` as seconds or as an HTTP date.
 */
export function parseRetryAfter(
  headers: Headers | IncomingHttpHeaders,
  now = Date.now(),
): number | undefined {
  const ms = headerOf(headers, 'retry-after-ms');
  if (ms !== undefined && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headerOf(headers, 'retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** One failed attempt, with what the retry loop needs to decide. */
class AttemptFailure extends Error {
  constructor(
    readonly error: LlmError,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    /** a pooled connection the server had just closed: worth one immediate retry on a new one */
    readonly staleConnection = false,
  ) {
    super(error.message);
  }
}

function statusFailure(status: number, message: string, headers: IncomingHttpHeaders): AttemptFailure {
  const text = `the provider answered ${status}: ${message}`;
  if (status === 401 || status === 403)
    return new AttemptFailure(new LlmError('LLM_AUTH_FAILED', text, status), false);
  if (status === 429) {
    return new AttemptFailure(new LlmError('LLM_RATE_LIMITED', text, status), true, parseRetryAfter(headers));
  }
  if (status === 408 || status >= 500) {
    return new AttemptFailure(new LlmError('LLM_UNAVAILABLE', text, status), true, parseRetryAfter(headers));
  }
  // node:http follows no redirect; the operator needs to know where the baseUrl moved
  const moved = status >= 300 && status < 400 && headers.location ? ` (moved to ${headers.location})` : '';
  return new AttemptFailure(new LlmError('LLM_BAD_REQUEST', `${text}${moved}`, status), false);
}

function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string'
      ? cause.code
      : undefined;
  const message = cause instanceof Error ? cause.message : String(cause);
  return code && !message.includes(code) ? `${code} ${message}` : message;
}

function abortedError(): LlmError {
  return new LlmError('LLM_ABORTED', 'the request was cancelled');
}

/** The error to report for a failure during an exchange: a cancel and a stall win over the symptom. */
function failureOf(exchange: HttpExchange, err: unknown, timeoutMs: number): AttemptFailure {
  if (err instanceof AttemptFailure) return err;
  if (err instanceof LlmError) return new AttemptFailure(err, false);
  if (exchange.callerAborted) return new AttemptFailure(abortedError(), false);
  if (exchange.timedOut) {
    return new AttemptFailure(
      new LlmError('LLM_UNAVAILABLE', `the provider sent nothing for ${timeoutMs} ms`),
      true,
    );
  }
  const message = exchange.responded
    ? `the provider's connection failed mid-answer: ${describeNetworkError(err)}`
    : `cannot reach the provider: ${describeNetworkError(err)}`;
  return new AttemptFailure(
    new LlmError('LLM_UNAVAILABLE', message),
    true,
    undefined,
    exchange.lostPooledConnection,
  );
}

/** The retry state of one call: attempts made and the one free retry after a stale pooled connection. */
class Attempts {
  count = 0;
  private staleRetried = false;

  /** true when the failure may be retried at once without counting as an attempt */
  freeRetry(failure: AttemptFailure): boolean {
    if (!failure.staleConnection || this.staleRetried) return false;
    this.staleRetried = true;
    return true;
  }
}

export class OpenAiCompatibleProvider implements LlmProvider {
  readonly kind = 'openai-compatible';
  readonly limited = false;
  readonly model: string;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseDelayMs: number;
  private readonly maxRetryDelayMs: number;

  constructor(private readonly config: OpenAiCompatibleConfig) {
    this.model = config.model;
    this.baseUrl = config.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxRetries = Math.max(0, config.maxRetries ?? DEFAULT_MAX_RETRIES);
    this.retryBaseDelayMs = config.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS;
    this.maxRetryDelayMs = config.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS;
  }

  /**
   * Whether an OpenAI-compatible server answers at `baseUrl`, and which models it serves. Never
   * throws: used at start to find a local Ollama, where silence just means "not there".
   */
  static async probe(
    baseUrl: string,
    options: { apiKey?: string; timeoutMs?: number; headers?: Record<string, string> } = {},
  ): Promise<ProbeResult | undefined> {
    const exchange = new HttpExchange(undefined, options.timeoutMs ?? 1500);
    try {
      const response = await exchange.start(
        new URL(`${baseUrl.replace(/\/+$/, '')}/models`),
        'GET',
        requestHeaders('application/json', options.apiKey, options.headers),
      );
      if (!isSuccess(response)) return undefined;
      const body: unknown = JSON.parse(await exchange.readText());
      const data = typeof body === 'object' && body !== null && 'data' in body ? body.data : undefined;
      if (!Array.isArray(data)) return undefined;
      const models = data.flatMap((entry: unknown) =>
        typeof entry === 'object' && entry !== null && 'id' in entry && typeof entry.id === 'string'
          ? [entry.id]
          : [],
      );
      return { models };
    } catch {
      return undefined;
    } finally {
      exchange.close();
    }
  }

  async *chat(request: LlmRequest): AsyncGenerator<LlmEvent> {
    const body = Buffer.from(JSON.stringify(toWireRequest(this.model, request, true)));
    const attempts = new Attempts();
    let delivered = false;
    for (;;) {
      const exchange = new HttpExchange(request.signal, this.timeoutMs);
      try {
        const response = await this.send(exchange, '/chat/completions', body, 'text/event-stream');
        // a server that ignores `stream: true` answers with one JSON completion; still an answer
        if (response.headers['content-type']?.includes('application/json')) {
          for (const event of wholeCompletion(await readJson(exchange))) {
            delivered = true;
            yield event;
          }
          return;
        }
        // events are yielded straight from here, a network read at a time: no nested generator,
        // and a promise only when the read queue is empty
        const stream = new ChatStream(exchange);
        for (let events = stream.take(); events; events = stream.take()) {
          if (events.length === 0) await exchange.waitForData();
          for (const event of events) {
            delivered = true;
            yield event;
          }
        }
        return;
      } catch (err) {
        const failure = failureOf(exchange, err, this.timeoutMs);
        // once the customer has seen part of an answer, a second attempt would repeat or contradict it
        if (delivered) throw failure.error;
        await this.beforeRetry(failure, attempts, request.signal);
      } finally {
        exchange.close();
      }
    }
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    if (texts.length === 0) return [];
    const body = Buffer.from(
      JSON.stringify({ model: this.config.embeddingModel ?? this.model, input: texts }),
    );
    const attempts = new Attempts();
    for (;;) {
      const exchange = new HttpExchange(signal, this.timeoutMs);
      try {
        await this.send(exchange, '/embeddings', body, 'application/json');
        return vectorsOf(await readJson(exchange), texts.length);
      } catch (err) {
        await this.beforeRetry(failureOf(exchange, err, this.timeoutMs), attempts, signal);
      } finally {
        exchange.close();
      }
    }
  }

  /** Rethrows the failure when it is final; otherwise waits the backoff for the next attempt. */
  private async beforeRetry(
    failure: AttemptFailure,
    attempts: Attempts,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    if (attempts.freeRetry(failure)) return;
    const attempt = attempts.count++;
    if (!failure.retryable || attempt >= this.maxRetries) {
      if (!failure.retryable || attempt === 0) throw failure.error;
      const { code, status, message } = failure.error;
      throw new LlmError(code, `${message} (after ${attempt + 1} attempts)`, status);
    }
    const backoff = this.retryBaseDelayMs * 2 ** attempt * (0.75 + Math.random() * 0.25);
    const delay = failure.retryAfterMs ?? backoff;
    if (delay > this.maxRetryDelayMs) {
      const { code, status, message } = failure.error;
      throw new LlmError(code, `${message} (the provider asks to wait ${Math.ceil(delay / 1000)} s)`, status);
    }
    await waitUnlessAborted(delay, signal, abortedError);
  }

  /** POSTs and waits for the response head; a non-2xx answer becomes an AttemptFailure. */
  private async send(
    exchange: HttpExchange,
    path: string,
    body: Buffer,
    accept: string,
  ): Promise<IncomingMessage> {
    const headers = requestHeaders(accept, this.config.apiKey, this.config.headers);
    headers['content-type'] = 'application/json';
    headers['content-length'] = body.length;
    const response = await exchange.start(new URL(`${this.baseUrl}${path}`), 'POST', headers, body);
    if (isSuccess(response)) return response;
    const text = await exchange.readText();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // a proxy's HTML or plain-text error page: its text is the message
    }
    const status = response.statusCode ?? 0;
    throw statusFailure(status, errorMessageOf(parsed, response.statusMessage ?? ''), response.headers);
  }
}

/** Our headers, then the configured ones, which may replace any of them (names are case-insensitive). */
function requestHeaders(
  accept: string,
  apiKey: string | undefined,
  extra: Record<string, string> | undefined,
): OutgoingHttpHeaders {
  // fetch sent `node`; some gateways' firewalls turn away a request without any user agent
  const headers: OutgoingHttpHeaders = { accept, 'user-agent': 'liveport' };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  for (const name in extra) headers[name.toLowerCase()] = extra[name];
  return headers;
}

function isSuccess(response: IncomingMessage): boolean {
  const status = response.statusCode ?? 0;
  return status >= 200 && status < 300;
}

/** The events of one streamed response, parsed a network read at a time. */
class ChatStream {
  private readonly assembler = new ChatChunkAssembler();
  private readonly parser = new SseParser();
  private readonly decoder = new StringDecoder('utf8');
  private over = false;
  private failure: unknown;

  constructor(private readonly exchange: HttpExchange) {}

  /**
   * The events completed by the reads received so far: none while the provider has sent nothing
   * new (wait with `exchange.waitForData`), undefined once the answer is over.
   */
  take(): LlmEvent[] | undefined {
    if (this.failure !== undefined) throw this.failure;
    if (this.over) return undefined;
    const reads = this.exchange.read();
    const events: LlmEvent[] = [];
    let sawDone = false;
    try {
      if (reads) {
        for (const read of reads) {
          sawDone = this.accept(this.parser.push(this.decoder.write(read)), events);
          if (sawDone) break;
        }
        if (!sawDone) return events;
      } else {
        sawDone = this.accept(this.parser.push(this.decoder.end()), events);
        if (!sawDone) sawDone = this.accept(this.parser.end(), events);
      }
    } catch (err) {
      // the text that came in the same read as the error is still the customer's to see
      if (events.length === 0) throw err;
      this.failure = err;
      return events;
    }
    this.over = true;
    if (sawDone) this.exchange.drain();
    else if (!this.assembler.finished) {
      // retryable only while nothing was delivered; `chat` decides that
      throw new AttemptFailure(
        new LlmError('LLM_UNAVAILABLE', 'the provider closed the stream before the answer was complete'),
        true,
      );
    }
    for (const event of this.assembler.finish()) events.push(event);
    return events;
  }

  /** Adds the events of these messages; true at `[DONE]`. */
  private accept(messages: SseMessage[], events: LlmEvent[]): boolean {
    for (const message of messages) {
      if (message.event === 'error') {
        throw new LlmError('LLM_BAD_RESPONSE', `the provider failed mid-stream: ${message.data}`);
      }
      if (message.data.trim() === '[DONE]') return true;
      let chunk: unknown;
      try {
        chunk = JSON.parse(message.data);
      } catch {
        // a stray line from a proxy or a debug print must not cost the customer the answer
        continue;
      }
      for (const event of this.assembler.accept(chunk)) events.push(event);
    }
    return false;
  }
}

/** The events of a whole (unstreamed) completion. */
function wholeCompletion(completion: unknown): LlmEvent[] {
  const assembler = new ChatChunkAssembler();
  return [...assembler.accept(completion), ...assembler.finish()];
}

async function readJson(exchange: HttpExchange): Promise<unknown> {
  const text = await exchange.readText();
  try {
    return JSON.parse(text);
  } catch {
    throw new LlmError('LLM_BAD_RESPONSE', `the provider sent invalid JSON: ${text.slice(0, 200)}`);
  }
}

function vectorsOf(body: unknown, expected: number): number[][] {
  const data = typeof body === 'object' && body !== null && 'data' in body ? body.data : undefined;
  if (!Array.isArray(data) || data.length !== expected) {
    throw new LlmError('LLM_BAD_RESPONSE', `expected ${expected} embeddings from the provider`);
  }
  const vectors: number[][] = new Array<number[]>(expected);
  data.forEach((entry: unknown, position) => {
    const record = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
    const index = typeof record.index === 'number' ? record.index : position;
    const vector = record.embedding;
    if (!Array.isArray(vector) || !vector.every((x) => typeof x === 'number') || index >= expected) {
      throw new LlmError('LLM_BAD_RESPONSE', 'the provider sent a malformed embedding');
    }
    vectors[index] = vector;
  });
  // `some` would skip the holes that repeated indexes leave
  for (let i = 0; i < expected; i++) {
    if (vectors[i] === undefined) {
      throw new LlmError('LLM_BAD_RESPONSE', 'the provider sent embeddings with repeated indexes');
    }
  }
  return vectors;
}
