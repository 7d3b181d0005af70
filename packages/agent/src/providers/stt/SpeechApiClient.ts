/**
 * The HTTP side shared by the OpenAI-compatible speech clients (`/audio/transcriptions`,
 * `/audio/speech`): the LLM client's HttpExchange for the connection, and a retry policy of its
 * own, because a voice turn has a customer listening in real time: fewer retries, shorter waits,
 * and errors reported as SpeechError.
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { HttpExchange, waitUnlessAborted } from '../llm/HttpExchange.ts';
import { parseRetryAfter } from '../llm/OpenAiCompatibleProvider.ts';
import { errorMessageOf } from '../llm/openAiWire.ts';
import { SpeechError } from './types.ts';

export interface SpeechApiConfig {
  /** up to the version segment, e.g. https://api.openai.com/v1 */
  baseUrl: string;
  apiKey?: string;
  /** longest wait for the response to start and, once it streams, between two pieces of it */
  timeoutMs?: number;
  /** retries after the first attempt, for 429, 5xx, timeouts and refused connections */
  maxRetries?: number;
  /** first backoff step; doubles with each retry when the server names no delay */
  retryBaseDelayMs?: number;
  /** a server asking to wait longer than this is not waited for: the customer is mid-conversation */
  maxRetryDelayMs?: number;
  /** extra headers, e.g. a gateway's key */
  headers?: Record<string, string>;
}

export interface SpeechApiRequest {
  /** below baseUrl, e.g. '/audio/speech' */
  path: string;
  body: Buffer;
  contentType: string;
  accept: string;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RETRIES = 2;
const DEFAULT_RETRY_BASE_DELAY_MS = 200;
const DEFAULT_MAX_RETRY_DELAY_MS = 3_000;

/** Why one attempt failed, with what the retry loop needs to decide. */
class AttemptFailure extends Error {
  constructor(
    readonly error: SpeechError,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(error.message);
  }
}

function failureForStatus(status: number, message: string, headers: IncomingHttpHeaders): AttemptFailure {
  const text = `the speech provider answered ${status}: ${message}`;
  if (status === 401 || status === 403)
    return new AttemptFailure(new SpeechError('SPEECH_AUTH_FAILED', text, status), false);
  if (status === 429) {
    return new AttemptFailure(
      new SpeechError('SPEECH_RATE_LIMITED', text, status),
      true,
      parseRetryAfter(headers),
    );
  }
  if (status === 408 || status >= 500) {
    return new AttemptFailure(
      new SpeechError('SPEECH_UNAVAILABLE', text, status),
      true,
      parseRetryAfter(headers),
    );
  }
  return new AttemptFailure(new SpeechError('SPEECH_BAD_REQUEST', text, status), false);
}

export function speechAborted(): SpeechError {
  return new SpeechError('SPEECH_ABORTED', 'the speech request was cancelled');
}

export class SpeechApiClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseDelayMs: number;
  private readonly maxRetryDelayMs: number;

  constructor(private readonly config: SpeechApiConfig) {
    const url = new URL(config.baseUrl);
    // HttpExchange would refuse it with an LLM error code; the operator should read a speech one
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new SpeechError(
        'SPEECH_BAD_REQUEST',
        `the speech provider URL must be http: or https:, not ${url.protocol}`,
      );
    }
    this.baseUrl = config.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxRetries = Math.max(0, config.maxRetries ?? DEFAULT_MAX_RETRIES);
    this.retryBaseDelayMs = config.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS;
    this.maxRetryDelayMs = config.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS;
  }

  /**
   * Sends the request and hands a successful response to `consume`, retrying the whole exchange
   * on what is worth retrying, but only while `delivered()` says nothing has reached the customer
   * yet (a second attempt would repeat what they already heard).
   */
  async call<T>(
    request: SpeechApiRequest,
    consume: (exchange: HttpExchange, response: IncomingMessage) => Promise<T>,
    delivered: () => boolean = () => false,
  ): Promise<T> {
    let attempt = 0;
    let staleRetried = false;
    for (;;) {
      const exchange = new HttpExchange(request.signal, this.timeoutMs);
      try {
        const response = await exchange.start(
          new URL(`${this.baseUrl}${request.path}`),
          'POST',
          this.headersFor(request),
          request.body,
        );
        const status = response.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          const text = await exchange.readText();
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // a proxy's HTML or plain-text error page: its text is the message
          }
          throw failureForStatus(
            status,
            errorMessageOf(parsed, response.statusMessage ?? ''),
            response.headers,
          );
        }
        return await consume(exchange, response);
      } catch (err) {
        const failure = this.failureOf(exchange, err);
        if (delivered()) throw failure.error;
        // a pooled connection the server had just closed says nothing about the server: once, for free
        if (exchange.lostPooledConnection && !staleRetried) {
          staleRetried = true;
          continue;
        }
        await this.beforeRetry(failure, attempt++, request.signal);
      } finally {
        exchange.close();
      }
    }
  }

  private headersFor(request: SpeechApiRequest): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = {
      accept: request.accept,
      'content-type': request.contentType,
      'content-length': request.body.length,
      'user-agent': 'liveport',
    };
    if (this.config.apiKey) headers.authorization = `Bearer ${this.config.apiKey}`;
    for (const name in this.config.headers) headers[name.toLowerCase()] = this.config.headers[name];
    return headers;
  }

  private failureOf(exchange: HttpExchange, err: unknown): AttemptFailure {
    if (err instanceof AttemptFailure) return err;
    if (exchange.callerAborted) return new AttemptFailure(speechAborted(), false);
    if (err instanceof SpeechError) return new AttemptFailure(err, false);
    if (exchange.timedOut) {
      const message = `the speech provider sent nothing for ${this.timeoutMs} ms`;
      return new AttemptFailure(new SpeechError('SPEECH_UNAVAILABLE', message), true);
    }
    // node's socket errors name their code in the message (connect ECONNREFUSED 127.0.0.1:9)
    const message = err instanceof Error ? err.message : String(err);
    const text = exchange.responded
      ? `the speech provider's connection failed mid-answer: ${message}`
      : `cannot reach the speech provider: ${message}`;
    return new AttemptFailure(new SpeechError('SPEECH_UNAVAILABLE', text), true);
  }

  /** Rethrows a final failure; otherwise waits out the backoff before the next attempt. */
  private async beforeRetry(
    failure: AttemptFailure,
    attempt: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const { code, status, message } = failure.error;
    if (!failure.retryable) throw failure.error;
    if (attempt >= this.maxRetries) {
      throw attempt === 0
        ? failure.error
        : new SpeechError(code, `${message} (after ${attempt + 1} attempts)`, status);
    }
    const delay =
      failure.retryAfterMs ?? this.retryBaseDelayMs * 2 ** attempt * (0.75 + Math.random() * 0.25);
    if (delay > this.maxRetryDelayMs) {
      throw new SpeechError(
        code,
        `${message} (the provider asks to wait ${Math.ceil(delay / 1000)} s)`,
        status,
      );
    }
    await waitUnlessAborted(delay, signal, speechAborted);
  }
}
