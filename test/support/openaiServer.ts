/**
 * A stand-in for an OpenAI-compatible LLM server: real HTTP, real Chat Completions wire format
 * (SSE `chat.completion.chunk`s, tool-call deltas, usage chunk, `[DONE]`), scripted by the test.
 * The production client talks to it exactly as it would talk to OpenAI, vLLM or Ollama.
 *
 *   const llm = await startOpenAiServer({ script: () => [say('Hello there')] });
 *   new OpenAiCompatibleProvider({ baseUrl: llm.baseUrl, model: 'm' });
 *   llm.requests[0].body.messages  // what the client sent
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ScriptedToolCall {
  id?: string;
  name: string;
  /** an object is serialised; a string is sent as is (even if it is not valid JSON) */
  arguments: string | Record<string, unknown>;
}

export type ScriptStep =
  /** text streamed as content deltas, one per piece (default: word-sized pieces, like tokens) */
  | { type: 'text'; text: string; pieces?: string[] }
  /** tool calls streamed one after another, each call's arguments in `argumentPieces` parts */
  | { type: 'tool_calls'; calls: ScriptedToolCall[]; argumentPieces?: number }
  /** an HTTP error instead of a stream; only before anything else was sent */
  | { type: 'http_error'; status: number; body?: unknown; headers?: Record<string, string> }
  /** an error object in the stream after it started, as OpenAI sends on a failure mid-answer */
  | { type: 'stream_error'; message: string; code?: string }
  | { type: 'delay'; ms: number }
  /** bytes written verbatim: comments, garbage, an event split across TCP writes */
  | { type: 'raw'; data: string | Uint8Array }
  /** the socket is destroyed without an end */
  | { type: 'hang_up' }
  /** overrides the finish reason of the final chunk ('stop', or 'tool_calls' after tool calls) */
  | { type: 'finish'; reason: string };

export type Script = ScriptStep[];

export const say = (text: string, pieces?: string[]): ScriptStep => ({ type: 'text', text, pieces });
export const callTools = (...calls: ScriptedToolCall[]): ScriptStep => ({ type: 'tool_calls', calls });
export const httpError = (status: number, body?: unknown, headers?: Record<string, string>): ScriptStep => ({
  type: 'http_error',
  status,
  body: body ?? { error: { message: `scripted ${status}`, type: 'server_error', param: null, code: null } },
  headers,
});
export const pauseFor = (ms: number): ScriptStep => ({ type: 'delay', ms });

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** the parsed JSON body (undefined for GET or a body that is not JSON) */
  body: ChatRequestBody | undefined;
  /** settles when the exchange is over: 'aborted' when the client closed the connection first */
  ended: Promise<'completed' | 'aborted'>;
}

/** What a chat request carries, loosely typed: tests assert on whatever the client sent. */
export interface ChatRequestBody {
  model?: string;
  messages?: Array<Record<string, unknown>>;
  tools?: Array<Record<string, unknown>>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  input?: string | string[];
  [key: string]: unknown;
}

export interface OpenAiServerOptions {
  /** the answer to each chat request, given its body (default: a short greeting) */
  script?: (body: ChatRequestBody, request: RecordedRequest) => Script;
  /** wait before the first content or tool-call delta */
  firstTokenMs?: number;
  /** pace of the pieces after the first; 0 or Infinity sends them without waiting */
  tokensPerSecond?: number;
  /** ids served at /v1/models */
  models?: string[];
  /** dimensions of /v1/embeddings vectors */
  embeddingDimensions?: number;
  /** answers any request with an error before routing, e.g. a 401 for every path */
  intercept?: (
    path: string,
    body: ChatRequestBody | undefined,
  ) => Extract<ScriptStep, { type: 'http_error' }> | undefined;
  /** called just before the first content or tool-call delta of an answer is written */
  onFirstPiece?: (body: ChatRequestBody) => void;
  /** false keeps the history out of memory (the benchmark sends thousands of requests) */
  record?: boolean;
}

export interface OpenAiServer {
  /** e.g. http://127.0.0.1:40123/v1, as a client's baseUrl */
  baseUrl: string;
  port: number;
  requests: RecordedRequest[];
  /** chat requests only */
  chatRequests(): RecordedRequest[];
  /** the options are live: a test may change the script or the pace between requests */
  options: OpenAiServerOptions;
  /** TCP connections accepted so far: shows whether the client reuses them */
  readonly connectionsAccepted: number;
  close(): Promise<void>;
}

/**
 * Releases paced pieces on one shared clock per rate: 200 streams at 40 tokens/s cost 40 timer
 * wake-ups a second, not 8000.
 */
class Pacer {
  private waiting: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs: number) {}

  next(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (!this.timer) {
        this.timer = setInterval(() => this.tick(), this.intervalMs);
        this.timer.unref();
      }
    });
  }

  private tick(): void {
    const due = this.waiting;
    this.waiting = [];
    for (const resolve of due) resolve();
    // waiters re-register in microtasks after this tick; one idle tick means the clock can stop
    if (due.length === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** Waits, but no longer than the client stays: a closed stream must not hold timers (or the process). */
function wait(ms: number, res?: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res?.destroyed) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      res?.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res?.once('close', done);
  });
}

function tokenPieces(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [text];
}

function splitInto(text: string, parts: number): string[] {
  if (text.length === 0) return [''];
  const size = Math.max(1, Math.ceil(text.length / Math.max(1, parts)));
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

function argumentsText(call: ScriptedToolCall): string {
  return typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
}

/** A word-hash embedding: texts sharing words point the same way, so similarity search works. */
export function hashEmbedding(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), 0x01000193) >>> 0;
    const slot = hash % dimensions;
    vector[slot] = (vector[slot] ?? 0) + ((hash >>> 16) & 1 ? 1 : -1);
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((x) => x / norm);
}

let completionCounter = 0;

export async function startOpenAiServer(options: OpenAiServerOptions = {}): Promise<OpenAiServer> {
  const requests: RecordedRequest[] = [];
  const pacers = new Map<number, Pacer>();
  const sockets = new Set<Socket>();
  let connectionsAccepted = 0;

  const pacerFor = (tokensPerSecond: number): Pacer | undefined => {
    if (!(tokensPerSecond > 0) || !Number.isFinite(tokensPerSecond)) return undefined;
    const interval = Math.max(1, Math.round(1000 / tokensPerSecond));
    let pacer = pacers.get(interval);
    if (!pacer) pacers.set(interval, (pacer = new Pacer(interval)));
    return pacer;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: ChatRequestBody | undefined;
      try {
        body = raw ? (JSON.parse(raw) as ChatRequestBody) : undefined;
      } catch {
        body = undefined;
      }
      let settle: (outcome: 'completed' | 'aborted') => void = () => {};
      const ended = new Promise<'completed' | 'aborted'>((resolve) => (settle = resolve));
      res.on('close', () => settle(res.writableFinished ? 'completed' : 'aborted'));
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: (req.url ?? '/').split('?')[0] ?? '/',
        headers: req.headers,
        body,
        ended,
      };
      if (options.record !== false) requests.push(recorded);
      route(recorded, res).catch(() => res.destroy());
    });
  });
  server.on('connection', (socket) => {
    connectionsAccepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function route(request: RecordedRequest, res: ServerResponse): Promise<void> {
    const intercepted = options.intercept?.(request.path, request.body);
    if (intercepted) return sendError(res, intercepted);
    if (request.method === 'GET' && request.path === '/v1/models') {
      const created = Math.floor(Date.now() / 1000);
      return sendJson(res, 200, {
        object: 'list',
        data: (options.models ?? ['liveport-test-model']).map((id) => ({
          id,
          object: 'model',
          created,
          owned_by: 'liveport',
        })),
      });
    }
    if (request.method === 'POST' && request.path === '/v1/embeddings') return embeddings(request, res);
    if (request.method === 'POST' && request.path === '/v1/chat/completions') return chat(request, res);
    return sendJson(res, 404, {
      error: {
        message: `Unknown request URL: ${request.method} ${request.path}`,
        type: 'invalid_request_error',
      },
    });
  }

  function embeddings(request: RecordedRequest, res: ServerResponse): void {
    const input = request.body?.input;
    const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input : undefined;
    if (!texts || !texts.every((t) => typeof t === 'string')) {
      return sendJson(res, 400, {
        error: { message: "'input' must be a string or an array of strings", type: 'invalid_request_error' },
      });
    }
    const dimensions = options.embeddingDimensions ?? 64;
    const tokens = texts.reduce((n, t) => n + tokenPieces(t).length, 0);
    sendJson(res, 200, {
      object: 'list',
      data: texts.map((text, index) => ({
        object: 'embedding',
        index,
        embedding: hashEmbedding(text, dimensions),
      })),
      model: request.body?.model ?? 'liveport-test-embedding',
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  async function chat(request: RecordedRequest, res: ServerResponse): Promise<void> {
    const body = request.body ?? {};
    const script = options.script ? options.script(body, request) : [say('Hello! How can I help you today?')];
    const steps = [...script];
    // leading delays and an error are answered before any header, as a real server would
    while (steps[0]?.type === 'delay') {
      await wait(steps[0].ms, res);
      steps.shift();
    }
    const first = steps[0];
    if (first?.type === 'http_error') return sendError(res, first);
    if (body.stream === true) return streamCompletion(body, steps, res);
    return wholeCompletion(body, steps, res);
  }

  /** Serialises chunks with the fields every chunk of a completion shares written once. */
  function chunkEnvelope(id: string, created: number, model: string, withUsage: boolean) {
    const head = `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_liveport' }).slice(0, -1)},"choices":`;
    return (choices: unknown[], usage?: unknown): string =>
      `${head}${JSON.stringify(choices)}${withUsage ? `,"usage":${JSON.stringify(usage ?? null)}` : ''}}\n\n`;
  }

  async function streamCompletion(body: ChatRequestBody, steps: Script, res: ServerResponse): Promise<void> {
    const id = `chatcmpl-lp${(++completionCounter).toString(36)}`;
    const model = body.model ?? 'liveport-test-model';
    const withUsage = body.stream_options?.include_usage === true;
    const envelope = chunkEnvelope(id, Math.floor(Date.now() / 1000), model, withUsage);
    const choice = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
      index: 0,
      delta,
      logprobs: null,
      finish_reason: finishReason,
    });
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.flushHeaders();
    res.write(envelope([choice({ role: 'assistant', content: '', refusal: null })]));

    const pacer = pacerFor(options.tokensPerSecond ?? 0);
    let pieces = 0;
    let sawToolCalls = false;
    let sawText = false;
    let finishReason: string | undefined;
    const piece = async (): Promise<boolean> => {
      if (pieces === 0) {
        if (options.firstTokenMs) await wait(options.firstTokenMs, res);
        options.onFirstPiece?.(body);
      } else if (pacer) {
        await pacer.next();
      }
      pieces++;
      return !res.destroyed;
    };

    for (const step of steps) {
      if (res.destroyed) return;
      switch (step.type) {
        case 'delay':
          await wait(step.ms, res);
          break;
        case 'raw':
          res.write(step.data);
          break;
        case 'hang_up':
          res.socket?.destroy();
          return;
        case 'finish':
          finishReason = step.reason;
          break;
        case 'http_error':
        case 'stream_error': {
          const message = step.type === 'stream_error' ? step.message : `scripted ${step.status}`;
          const code = step.type === 'stream_error' ? (step.code ?? null) : null;
          res.end(
            `data: ${JSON.stringify({ error: { message, type: 'server_error', param: null, code } })}\n\n`,
          );
          return;
        }
        case 'text':
          sawText = true;
          for (const text of step.pieces ?? tokenPieces(step.text)) {
            if (!(await piece())) return;
            res.write(envelope([choice({ content: text })]));
          }
          break;
        case 'tool_calls':
          sawToolCalls = true;
          for (const [index, call] of step.calls.entries()) {
            if (!(await piece())) return;
            const callId = call.id ?? `call_${id.slice('chatcmpl-'.length)}x${index}`;
            res.write(
              envelope([
                choice({
                  // a turn that opens with a call says so with a null content, as OpenAI does
                  ...(index === 0 && !sawText ? { content: null } : {}),
                  tool_calls: [
                    { index, id: callId, type: 'function', function: { name: call.name, arguments: '' } },
                  ],
                }),
              ]),
            );
            for (const part of splitInto(argumentsText(call), step.argumentPieces ?? 3)) {
              if (!(await piece())) return;
              res.write(envelope([choice({ tool_calls: [{ index, function: { arguments: part } }] })]));
            }
          }
          break;
      }
    }
    if (res.destroyed) return;
    res.write(envelope([choice({}, finishReason ?? (sawToolCalls ? 'tool_calls' : 'stop'))]));
    if (withUsage) {
      const promptTokens = Math.ceil(JSON.stringify(body.messages ?? []).length / 4);
      res.write(
        envelope([], {
          prompt_tokens: promptTokens,
          completion_tokens: pieces,
          total_tokens: promptTokens + pieces,
        }),
      );
    }
    res.end('data: [DONE]\n\n');
  }

  async function wholeCompletion(body: ChatRequestBody, steps: Script, res: ServerResponse): Promise<void> {
    let content = '';
    const toolCalls: unknown[] = [];
    let finishReason: string | undefined;
    let pieces = 0;
    for (const step of steps) {
      if (step.type === 'delay') await wait(step.ms, res);
      else if (step.type === 'text') {
        content += step.text;
        pieces += (step.pieces ?? tokenPieces(step.text)).length;
      } else if (step.type === 'tool_calls') {
        for (const call of step.calls) {
          toolCalls.push({
            id: call.id ?? `call_${toolCalls.length}`,
            type: 'function',
            function: { name: call.name, arguments: argumentsText(call) },
          });
          pieces += 4;
        }
      } else if (step.type === 'finish') finishReason = step.reason;
      else if (step.type === 'http_error') return sendError(res, step);
      else if (step.type === 'stream_error')
        return sendError(res, {
          type: 'http_error',
          status: 500,
          body: { error: { message: step.message } },
        });
      else if (step.type === 'hang_up') {
        res.socket?.destroy();
        return;
      }
    }
    const pace = options.tokensPerSecond ?? 0;
    await wait(
      (options.firstTokenMs ?? 0) + (pace > 0 && Number.isFinite(pace) ? (pieces * 1000) / pace : 0),
    );
    const promptTokens = Math.ceil(JSON.stringify(body.messages ?? []).length / 4);
    sendJson(res, 200, {
      id: `chatcmpl-lp${(++completionCounter).toString(36)}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model ?? 'liveport-test-model',
      system_fingerprint: 'fp_liveport',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: toolCalls.length > 0 && content === '' ? null : content,
            ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
            refusal: null,
          },
          logprobs: null,
          finish_reason: finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
        },
      ],
      usage: { prompt_tokens: promptTokens, completion_tokens: pieces, total_tokens: promptTokens + pieces },
    });
  }

  function sendError(res: ServerResponse, step: Extract<ScriptStep, { type: 'http_error' }>): void {
    const body = step.body ?? { error: { message: `scripted ${step.status}`, type: 'server_error' } };
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(step.status, {
      'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
      ...step.headers,
    });
    res.end(text);
  }

  function sendJson(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    chatRequests: () => requests.filter((r) => r.path === '/v1/chat/completions'),
    options,
    get connectionsAccepted() {
      return connectionsAccepted;
    },
    close: async () => {
      for (const pacer of pacers.values()) pacer.stop();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
