/**
 * One client for every server that speaks OpenAI's Chat Completions: OpenAI, DeepSeek, Qwen
 * (DashScope's compatible mode), Ollama's /v1, vLLM and llama.cpp's server. Streams over Node's
 * fetch; retries what is worth retrying, and only while nothing has reached the caller yet.
 */
import { SseParser } from './sse.ts';
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
const DRAIN_GRACE_MS = 2_000;

/**
 * How long the server asked us to wait: OpenAI's `retry-after-ms` first (finer), then
 * `Retry-After` as seconds or as an HTTP date.
 */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after')?.trim();
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
  ) {
    super(error.message);
  }
}

function statusFailure(status: number, message: string, headers: Headers): AttemptFailure {
  const text = `the provider answered ${status}: ${message}`;
  if (status === 401 || status === 403)
    return new AttemptFailure(new LlmError('LLM_AUTH_FAILED', text, status), false);
  if (status === 429) {
    return new AttemptFailure(new LlmError('LLM_RATE_LIMITED', text, status), true, parseRetryAfter(headers));
  }
  if (status === 408 || status >= 500) {
    return new AttemptFailure(new LlmError('LLM_UNAVAILABLE', text, status), true, parseRetryAfter(headers));
  }
  return new AttemptFailure(new LlmError('LLM_BAD_REQUEST', text, status), false);
}

function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : undefined;
  const code = cause && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  const message = cause?.message ?? (err instanceof Error ? err.message : String(err));
  return code && !message.includes(code) ? `${code} ${message}` : message;
}

function abortedError(): LlmError {
  return new LlmError('LLM_ABORTED', 'the request was cancelled');
}

/** Waits, unless the caller cancels first. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * One HTTP exchange: its own AbortController (fed by the caller's signal and by an idle timer) so
 * that a cancel or a stall really closes the connection.
 */
class Exchange {
  readonly controller = new AbortController();
  timedOut = false;
  /** the whole body was read: the connection can be reused, so it must not be aborted */
  bodyConsumed = false;
  private draining = false;
  private readonly timer: NodeJS.Timeout;
  private readonly onCallerAbort = (): void => this.controller.abort();

  constructor(
    private readonly callerSignal: AbortSignal | undefined,
    private readonly timeoutMs: number,
  ) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, timeoutMs);
    if (callerSignal?.aborted) this.controller.abort();
    else callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  /** Data arrived: the idle clock starts again (refresh re-arms without a new timer object). */
  touch(): void {
    this.timer.refresh();
  }

  /** The error to report for a failure during this exchange: a cancel and a stall win over the symptom. */
  failureFor(err: unknown): AttemptFailure {
    if (err instanceof AttemptFailure) return err;
    if (err instanceof LlmError) return new AttemptFailure(err, false);
    if (this.callerSignal?.aborted) return new AttemptFailure(abortedError(), false);
    if (this.timedOut) {
      return new AttemptFailure(
        new LlmError('LLM_UNAVAILABLE', `the provider sent nothing for ${this.timeoutMs} ms`),
        true,
      );
    }
    return new AttemptFailure(
      new LlmError('LLM_UNAVAILABLE', `cannot reach the provider: ${describeNetworkError(err)}`),
      true,
    );
  }

  /**
   * After `[DONE]`: reads the end of the body in the background (it normally comes in the same
   * packet) so that the connection goes back to the pool instead of being torn down, without
   * holding the answer back; a server that keeps the stream open is cut off after a grace period.
   */
  drain(reader: ReadableStreamDefaultReader<Uint8Array>): void {
    this.draining = true;
    const grace = setTimeout(() => this.controller.abort(), DRAIN_GRACE_MS);
    grace.unref();
    void (async () => {
      try {
        for (let read = await reader.read(); !read.done; read = await reader.read());
      } catch {
        // cut off: the answer was already complete
      } finally {
        clearTimeout(grace);
      }
    })();
  }

  close(): void {
    clearTimeout(this.timer);
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
    // tears down a connection still carrying an answer nobody will read
    if (!this.bodyConsumed && !this.draining) this.controller.abort();
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
    try {
      const response = await fetch(`${baseUrl.replace(/\/+$/, '')}/models`, {
        headers: {
          accept: 'application/json',
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
          ...options.headers,
        },
        signal: AbortSignal.timeout(options.timeoutMs ?? 1500),
      });
      if (!response.ok) {
        await response.body?.cancel();
        return undefined;
      }
      const body: unknown = await response.json();
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
    }
  }

  async *chat(request: LlmRequest): AsyncGenerator<LlmEvent> {
    const body = JSON.stringify(toWireRequest(this.model, request, true));
    let delivered = false;
    for (let attempt = 0; ; attempt++) {
      const exchange = new Exchange(request.signal, this.timeoutMs);
      try {
        const response = await this.send(exchange, '/chat/completions', body, 'text/event-stream');
        // batches per network read rather than a nested generator: one fewer async hop per token
        const stream = new ChatStream(response, exchange);
        for (let batch = await stream.next(); batch; batch = await stream.next()) {
          for (const event of batch) {
            delivered = true;
            yield event;
          }
        }
        return;
      } catch (err) {
        const failure = exchange.failureFor(err);
        // once the customer has seen part of an answer, a second attempt would repeat or contradict it
        if (delivered) throw failure.error;
        await this.beforeRetry(failure, attempt, request.signal);
      } finally {
        exchange.close();
      }
    }
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    if (texts.length === 0) return [];
    const body = JSON.stringify({ model: this.config.embeddingModel ?? this.model, input: texts });
    for (let attempt = 0; ; attempt++) {
      const exchange = new Exchange(signal, this.timeoutMs);
      try {
        const response = await this.send(exchange, '/embeddings', body, 'application/json');
        const vectors = vectorsOf(await readJson(response), texts.length);
        exchange.bodyConsumed = true;
        return vectors;
      } catch (err) {
        await this.beforeRetry(exchange.failureFor(err), attempt, signal);
      } finally {
        exchange.close();
      }
    }
  }

  /** Rethrows the failure when it is final; otherwise waits the backoff for the next attempt. */
  private async beforeRetry(
    failure: AttemptFailure,
    attempt: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
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
    await pause(delay, signal);
  }

  /** POSTs and waits for the response headers; a non-2xx answer becomes an AttemptFailure. */
  private async send(exchange: Exchange, path: string, body: string, accept: string): Promise<Response> {
    if (exchange.controller.signal.aborted) throw abortedError();
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept,
        ...(this.config.apiKey ? { authorization: `Bearer ${this.config.apiKey}` } : {}),
        ...this.config.headers,
      },
      body,
      signal: exchange.controller.signal,
    });
    exchange.touch();
    if (response.ok) return response;
    const text = await response.text();
    exchange.bodyConsumed = true;
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // a proxy's HTML or plain-text error page: its text is the message
    }
    throw statusFailure(response.status, errorMessageOf(parsed, response.statusText), response.headers);
  }
}

/** The events of one streamed response, a network read at a time. */
class ChatStream {
  private readonly assembler = new ChatChunkAssembler();
  private readonly parser = new SseParser();
  private readonly decoder = new TextDecoder();
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  private over = false;
  private failure: unknown;

  constructor(
    private readonly response: Response,
    private readonly exchange: Exchange,
  ) {}

  /** The events completed by the next read (possibly none), or undefined once the answer is over. */
  async next(): Promise<LlmEvent[] | undefined> {
    if (this.failure !== undefined) throw this.failure;
    if (this.over) return undefined;
    const contentType = this.response.headers.get('content-type') ?? '';
    // a server that ignores `stream: true` answers with one JSON completion; still an answer
    if (contentType.includes('application/json')) {
      this.over = true;
      const completion = await readJson(this.response);
      this.exchange.bodyConsumed = true;
      return [...this.assembler.accept(completion), ...this.assembler.finish()];
    }
    if (!this.reader) {
      if (!this.response.body) throw new LlmError('LLM_BAD_RESPONSE', 'the provider sent no body');
      this.reader = this.response.body.getReader();
    }
    const { value, done } = await this.reader.read();
    if (!done) this.exchange.touch();
    const messages = done
      ? this.parser.end()
      : this.parser.push(this.decoder.decode(value, { stream: true }));
    const events: LlmEvent[] = [];
    let sawDone = false;
    try {
      for (const message of messages) {
        if (message.event === 'error') {
          throw new LlmError('LLM_BAD_RESPONSE', `the provider failed mid-stream: ${message.data}`);
        }
        if (message.data.trim() === '[DONE]') {
          sawDone = true;
          break;
        }
        let chunk: unknown;
        try {
          chunk = JSON.parse(message.data);
        } catch {
          // a stray line from a proxy or a debug print must not cost the customer the answer
          continue;
        }
        for (const event of this.assembler.accept(chunk)) events.push(event);
      }
    } catch (err) {
      // the text that came in the same read as the error is still the customer's to see
      if (events.length === 0) throw err;
      this.failure = err;
      return events;
    }
    if (!done && !sawDone) return events;
    this.over = true;
    if (sawDone && this.reader) this.exchange.drain(this.reader);
    else this.exchange.bodyConsumed = true;
    if (!sawDone && !this.assembler.finished) {
      // retryable only while nothing was delivered; `chat` decides that
      throw new AttemptFailure(
        new LlmError('LLM_UNAVAILABLE', 'the provider closed the stream before the answer was complete'),
        true,
      );
    }
    for (const event of this.assembler.finish()) events.push(event);
    return events;
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
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
