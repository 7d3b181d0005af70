/**
 * One HTTP exchange with a model provider over node:http and node:https, without fetch's web
 * streams (about three times the CPU per streamed token at our load): a pooled keep-alive
 * connection, one clock for the response to start and for every gap in it, cancellation that
 * really closes the connection, and the body handed over a network read at a time.
 */
import http, { type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { LlmError } from './types.ts';

/** connections per provider host; beyond this, requests queue for a free one */
const MAX_SOCKETS_PER_HOST = 256;
/** an idle pooled connection is closed before a server's usual 5 s keep-alive timeout can race a reuse */
const IDLE_SOCKET_MS = 4_000;
/** network reads held for a busy consumer before the socket is paused */
const MAX_QUEUED_READS = 32;
/** how long the rest of a finished answer may take to arrive before the connection is cut */
const DRAIN_GRACE_MS = 2_000;
/**
 * The silence clock looks at the exchange this many times per timeout rather than being re-armed
 * at every network read (a timer refresh per token was a visible share of the client's CPU): a
 * silence is noticed between the timeout and a quarter later.
 */
const SILENCE_CHECKS_PER_TIMEOUT = 4;

export interface Transport {
  request: (url: URL, options: http.RequestOptions) => ClientRequest;
  /** keep-alive pool, shared by every provider of the process so that connections outlive a client */
  agent: http.Agent;
}

const transports: { 'http:'?: Transport; 'https:'?: Transport } = {};

/** The client and the connection pool for a provider URL: TLS for https:, plain TCP for http:. */
export function transportFor(url: URL): Transport {
  const options = { keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST, timeout: IDLE_SOCKET_MS };
  if (url.protocol === 'https:') {
    return (transports['https:'] ??= { request: https.request, agent: new https.Agent(options) });
  }
  if (url.protocol === 'http:') {
    return (transports['http:'] ??= { request: http.request, agent: new http.Agent(options) });
  }
  throw new LlmError('LLM_UNAVAILABLE', `the provider URL must be http: or https:, not ${url.protocol}`);
}

type State = 'open' | 'complete' | 'draining' | 'failed';

/** Error codes of a pooled connection that the server closed just as we reused it. */
const STALE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE']);
const NO_READS: readonly Buffer[] = [];

export class HttpExchange {
  /** the provider stayed silent for longer than the timeout */
  timedOut = false;
  /** the response head arrived */
  responded = false;
  private state: State = 'open';
  private failure: unknown;
  private request: ClientRequest | undefined;
  private response: IncomingMessage | undefined;
  private rejectStart: ((err: unknown) => void) | undefined;
  private reads: Buffer[] = [];
  private paused = false;
  /** something arrived since the silence clock last looked */
  private heard = false;
  private silentChecks = 0;
  private wake: (() => void) | undefined;
  private grace: NodeJS.Timeout | undefined;
  private readonly clock: NodeJS.Timeout;
  private readonly onCallerAbort = (): void => this.fail(new Error('cancelled by the caller'));

  constructor(
    private readonly callerSignal: AbortSignal | undefined,
    timeoutMs: number,
  ) {
    this.clock = setInterval(() => {
      // a socket we paused is waiting on our consumer, not on the provider
      if (this.heard || this.paused) {
        this.heard = false;
        this.silentChecks = 0;
      } else if (++this.silentChecks >= SILENCE_CHECKS_PER_TIMEOUT) {
        this.timedOut = true;
        this.fail(new Error(`no data for ${timeoutMs} ms`));
      }
    }, timeoutMs / SILENCE_CHECKS_PER_TIMEOUT);
    if (callerSignal?.aborted) this.onCallerAbort();
    else callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  get callerAborted(): boolean {
    return this.callerSignal?.aborted === true;
  }

  /** The request failed on a reused pooled connection before any answer: the server had closed it. */
  get lostPooledConnection(): boolean {
    const code = (this.failure as { code?: unknown } | undefined)?.code;
    return (
      !this.responded &&
      !this.timedOut &&
      !this.callerAborted &&
      this.request?.reusedSocket === true &&
      typeof code === 'string' &&
      STALE_CONNECTION_CODES.has(code)
    );
  }

  /** Sends the request; resolves with the response head, whatever its status. */
  start(
    url: URL,
    method: 'GET' | 'POST',
    headers: OutgoingHttpHeaders,
    body?: Buffer,
  ): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      if (this.state === 'failed') return reject(this.failure);
      const { request, agent } = transportFor(url);
      const req = request(url, { method, headers, agent });
      this.request = req;
      this.rejectStart = reject;
      req.on('error', (err) => this.fail(err));
      req.on('response', (res) => {
        this.rejectStart = undefined;
        this.responded = true;
        this.response = res;
        this.heard = true;
        res.on('data', this.onData);
        res.on('end', this.onEnd);
        res.on('error', (err) => this.fail(err));
        res.on('close', () => {
          if (!res.complete) this.fail(new Error('the connection closed before the response was complete'));
        });
        resolve(res);
      });
      req.end(body);
    });
  }

  /**
   * The body received since the last call, as network reads: none yet (an empty array: wait with
   * `waitForData`) or undefined once the body is complete. Throws what ended the exchange, after
   * the reads that came before it, unless the caller cancelled.
   */
  read(): readonly Buffer[] | undefined {
    if (this.reads.length > 0 && !(this.state === 'failed' && this.callerAborted)) {
      const reads = this.reads;
      this.reads = [];
      if (this.paused) {
        this.paused = false;
        this.heard = true;
        this.response?.resume();
      }
      return reads;
    }
    if (this.state === 'failed') throw this.failure;
    if (this.state === 'open') return NO_READS;
    return undefined;
  }

  /** Resolves at the next read, the end of the body or a failure. */
  waitForData(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  /** The whole body as text (an error page, a JSON answer). */
  async readText(): Promise<string> {
    const chunks: Buffer[] = [];
    for (let reads = this.read(); reads; reads = this.read()) {
      if (reads.length === 0) await this.waitForData();
      else chunks.push(...reads);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /**
   * The answer is complete before the body is (after `[DONE]`): the rest is read and dropped in
   * the background, so that the connection goes back to the pool instead of being torn down; a
   * server that keeps the stream open is cut off after a grace period.
   */
  drain(): void {
    if (this.state !== 'open') return;
    this.state = 'draining';
    this.reads = [];
    clearInterval(this.clock);
    this.grace = setTimeout(() => this.request?.destroy(), DRAIN_GRACE_MS);
    this.grace.unref();
    if (this.paused) {
      this.paused = false;
      this.response?.resume();
    }
  }

  /** Ends the exchange; a connection still carrying an answer nobody will read is torn down. */
  close(): void {
    clearInterval(this.clock);
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
    if (this.state === 'open' || this.state === 'failed') this.request?.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.state !== 'open') return;
    this.heard = true;
    this.reads.push(chunk);
    if (this.reads.length >= MAX_QUEUED_READS && !this.paused) {
      this.paused = true;
      this.response?.pause();
    }
    this.wakeReader();
  };

  private readonly onEnd = (): void => {
    clearTimeout(this.grace);
    if (this.state === 'open' || this.state === 'draining') this.state = 'complete';
    this.wakeReader();
  };

  private fail(err: unknown): void {
    if (this.state === 'complete' || this.state === 'failed') return;
    clearTimeout(this.grace);
    // a failure while draining costs only the connection: the answer was already complete
    if (this.state === 'open') {
      this.state = 'failed';
      this.failure = err;
    }
    clearInterval(this.clock);
    this.request?.destroy();
    this.rejectStart?.(err);
    this.rejectStart = undefined;
    this.wakeReader();
  }

  private wakeReader(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/**
 * Waits between retries, unless the caller cancels first; `aborted` makes the error of the
 * caller's own kind (an LLM or a speech error).
 */
export function waitUnlessAborted(
  ms: number,
  signal: AbortSignal | undefined,
  aborted: () => Error,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
