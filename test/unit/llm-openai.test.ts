import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import https, { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import {
  LlmError,
  OpenAiCompatibleProvider,
  parseRetryAfter,
  selectProvider,
  type LlmEvent,
  type LlmRequest,
  type OpenAiCompatibleConfig,
} from '../../packages/agent/src/providers/llm/index.ts';
import { SseParser } from '../../packages/agent/src/providers/llm/sse.ts';
import { transportFor } from '../../packages/agent/src/providers/llm/HttpExchange.ts';
import {
  callTools,
  httpError,
  pauseFor,
  say,
  startOpenAiServer,
  type OpenAiServer,
  type Script,
} from '../support/openaiServer.ts';

const hello: LlmRequest = { messages: [{ role: 'user', content: 'Hello' }] };

async function collect(stream: AsyncIterable<LlmEvent>): Promise<{ events: LlmEvent[]; error?: LlmError }> {
  const events: LlmEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
  } catch (err) {
    assert.ok(err instanceof LlmError, `expected an LlmError, got ${String(err)}`);
    return { events, error: err };
  }
  return { events };
}

/** The closing event, which must be the last one. */
function doneOf(events: LlmEvent[]): Extract<LlmEvent, { type: 'done' }> {
  const last = events.at(-1);
  assert.ok(last?.type === 'done', 'the stream ends with a done event');
  return last;
}

const textOf = (events: LlmEvent[]): string => events.map((e) => (e.type === 'text' ? e.delta : '')).join('');

/** A one-piece streamed answer, for servers written by hand in a test. */
function answerWith(res: ServerResponse, text: string): void {
  const chunk = { choices: [{ index: 0, delta: { content: text }, finish_reason: 'stop' }] };
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`);
}

/** A self-signed certificate for 127.0.0.1 (P-256, valid until 2126), trusted by no one by default. */
const TEST_TLS = {
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgYnIjjZO9H82tTyk+
5vNx0lEgQx5qY/lWIMxIXSdktHihRANCAATkG0pMD276YHHsnOF9KfBWqp94Px6a
vKzbgiPc8AUj+kOT/AnMuHPjMrtfwmNO89L/+EM236zEL9Wl0nl23DD/
-----END PRIVATE KEY-----
`,
  cert: `-----BEGIN CERTIFICATE-----
MIIBlzCCAT6gAwIBAgIUVJG9XpnxNXL6t2LKqW/MrnMkkJQwCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNbGl2ZXBvcnQtdGVzdDAgFw0yNjExMjUwOTExMjVaGA8yMTI2
MTEwMTA5MTEyNVowGDEWMBQGA1UEAwwNbGl2ZXBvcnQtdGVzdDBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABOQbSkwPbvpgceyc4X0p8Faqn3g/Hpq8rNuCI9zwBSP6
Q5P8Ccy4c+Myu1/CY07z0v/4QzbfrMQv1aXSeXbcMP+jZDBiMB0GA1UdDgQWBBTv
Q1/cmDvemvfDnbySjiXmt1EsIDAfBgNVHSMEGDAWgBTvQ1/cmDvemvfDnbySjiXm
t1EsIDAPBgNVHRMBAf8EBTADAQH/MA8GA1UdEQQIMAaHBH8AAAEwCgYIKoZIzj0E
AwIDRwAwRAIgYlvObI2HLtjihb7/L/yq0q/yJPi9cZUEuWLVZrgQCvsCIDRJ61Zo
wZhhQDS0Kyes2L3b76cI9JZVVlgLGaJsOR7n
-----END CERTIFICATE-----
`,
};

/** A port that nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('OpenAI-compatible provider against a server speaking the Chat Completions protocol', () => {
  let server: OpenAiServer;
  const provider = (overrides: Partial<OpenAiCompatibleConfig> = {}): OpenAiCompatibleProvider =>
    new OpenAiCompatibleProvider({
      baseUrl: server.baseUrl,
      apiKey: 'sk-test',
      model: 'test-model',
      retryBaseDelayMs: 5,
      ...overrides,
    });
  /** each test scripts the server afresh and reads only its own requests */
  const script = (fn: (body: unknown, attempt: number) => Script): void => {
    server.requests.length = 0;
    let attempt = 0;
    server.options.script = (body) => fn(body, attempt++);
    server.options.intercept = undefined;
  };

  before(async () => {
    server = await startOpenAiServer();
  });
  after(() => server.close());

  it('delivers each text delta as it arrives, before the server has finished the answer', async () => {
    script(() => [say('Your sofa', ['Your', ' sofa']), pauseFor(300), say(' ships tomorrow.')]);
    const events: LlmEvent[] = [];
    const arrivals: number[] = [];
    for await (const event of provider().chat(hello)) {
      events.push(event);
      arrivals.push(Date.now());
    }
    // the server held the rest of the answer back for 300 ms: the first words came before it
    assert.ok(
      arrivals.at(-1)! - arrivals[0]! >= 250,
      `first delta only ${arrivals.at(-1)! - arrivals[0]!} ms early`,
    );
    assert.deepEqual(
      events.filter((e) => e.type === 'text').map((e) => (e.type === 'text' ? e.delta : '')),
      ['Your', ' sofa', ' ships', ' tomorrow.'],
    );
    assert.equal(doneOf(events).finishReason, 'stop');
    assert.equal(doneOf(events).usage?.completionTokens, 4);
  });

  it('assembles a tool call whose arguments arrive split across many chunks', async () => {
    const args = { orderNumber: 'LP-1001', email: 'ana@example.com' };
    script(() => [
      {
        type: 'tool_calls',
        calls: [{ id: 'call_1', name: 'lookup_order', arguments: args }],
        argumentPieces: 7,
      },
    ]);
    const { events, error } = await collect(provider().chat(hello));
    assert.equal(error, undefined);
    assert.deepEqual(events.slice(0, -1), [
      { type: 'tool_call', call: { id: 'call_1', name: 'lookup_order', arguments: JSON.stringify(args) } },
    ]);
    assert.equal(doneOf(events).finishReason, 'tool_calls');
  });

  it('assembles two parallel tool calls by their index, after the text that preceded them', async () => {
    script(() => [
      say('Let me check both.'),
      callTools(
        { id: 'call_a', name: 'track_shipment', arguments: { orderNumber: 'LP-1001' } },
        { id: 'call_b', name: 'track_shipment', arguments: { orderNumber: 'LP-1002' } },
      ),
    ]);
    const { events } = await collect(provider().chat(hello));
    assert.equal(textOf(events), 'Let me check both.');
    const calls = events.flatMap((e) => (e.type === 'tool_call' ? [e.call] : []));
    assert.deepEqual(calls, [
      { id: 'call_a', name: 'track_shipment', arguments: '{"orderNumber":"LP-1001"}' },
      { id: 'call_b', name: 'track_shipment', arguments: '{"orderNumber":"LP-1002"}' },
    ]);
    assert.equal(doneOf(events).finishReason, 'tool_calls');
  });

  it('keeps the connection for the next request once an answer is complete', async () => {
    script(() => [say('First.')]);
    await collect(provider().chat(hello));
    const before = server.connectionsAccepted;
    for (let i = 0; i < 3; i++) await collect(provider().chat(hello));
    for await (const event of provider().chat(hello)) if (event.type === 'done') break;
    await collect(provider().chat(hello));
    assert.equal(server.connectionsAccepted - before, 0);
  });

  it('reuses the pooled connections of concurrent streams for the next ones', async () => {
    script(() => [say('Hi there.')]);
    const client = provider();
    const wave = (): Promise<unknown> => Promise.all([1, 2, 3, 4, 5].map(() => collect(client.chat(hello))));
    await wave();
    const before = server.connectionsAccepted;
    await wave();
    assert.equal(server.connectionsAccepted - before, 0);
  });

  it('cuts the connection 2 s after [DONE] when the server keeps the stream open', async () => {
    script(() => [say('Bye.'), { type: 'raw', data: 'data: [DONE]\n\n' }, pauseFor(5000)]);
    const { events } = await collect(provider().chat(hello));
    doneOf(events);
    const started = Date.now();
    assert.equal(await server.chatRequests()[0]?.ended, 'aborted');
    const cutAfter = Date.now() - started;
    assert.ok(cutAfter > 1500 && cutAfter < 3000, `cut after ${cutAfter} ms`);
  });

  it('ends the answer at [DONE] even if the server keeps the stream open after it', async () => {
    script(() => [say('Bye.'), { type: 'raw', data: 'data: [DONE]\n\n' }, pauseFor(5000)]);
    const started = Date.now();
    const { events, error } = await collect(provider().chat(hello));
    assert.equal(error, undefined);
    assert.equal(textOf(events), 'Bye.');
    doneOf(events);
    assert.ok(Date.now() - started < 1000);
  });

  it('separates whole tool calls sent one per chunk without an index', async () => {
    const whole = (id: string, order: string): string =>
      `data: ${JSON.stringify({
        choices: [
          {
            index: 0,
            delta: {
              tool_calls: [
                { id, type: 'function', function: { name: 'track_shipment', arguments: { order } } },
              ],
            },
            finish_reason: null,
          },
        ],
      })}\n\n`;
    script(() => [
      { type: 'raw', data: whole('c1', 'LP-1') },
      { type: 'raw', data: whole('c2', 'LP-2') },
      { type: 'finish', reason: 'stop' },
    ]);
    const { events } = await collect(provider().chat(hello));
    assert.deepEqual(
      events.flatMap((e) => (e.type === 'tool_call' ? [e.call] : [])),
      [
        { id: 'c1', name: 'track_shipment', arguments: '{"order":"LP-1"}' },
        { id: 'c2', name: 'track_shipment', arguments: '{"order":"LP-2"}' },
      ],
    );
    // 'stop' after tool calls (Ollama's habit) still tells the agent loop to run them
    assert.equal(doneOf(events).finishReason, 'tool_calls');
  });

  it('sends history, tool calls, tool results and tools in the wire shape', async () => {
    script(() => [say('Done.')]);
    const request: LlmRequest = {
      messages: [
        { role: 'system', content: 'You are the store assistant.' },
        { role: 'user', content: 'Where is LP-1001?' },
        {
          role: 'assistant',
          content: null,
          toolCalls: [{ id: 'call_9', name: 'track_shipment', arguments: '{"orderNumber":"LP-1001"}' }],
        },
        { role: 'tool', toolCallId: 'call_9', content: '{"status":"in_transit"}' },
        { role: 'assistant', content: 'It is on its way.' },
      ],
      tools: [
        {
          name: 'track_shipment',
          description: 'Tracking events of an order',
          parameters: {
            type: 'object',
            properties: { orderNumber: { type: 'string' } },
            required: ['orderNumber'],
          },
        },
      ],
      temperature: 0.2,
      maxTokens: 300,
    };
    await collect(provider({ headers: { 'x-gateway': 'shop-1' } }).chat(request));
    const sent = server.chatRequests()[0];
    assert.ok(sent);
    assert.equal(sent.headers.authorization, 'Bearer sk-test');
    assert.equal(sent.headers['x-gateway'], 'shop-1');
    assert.deepEqual(sent.body, {
      model: 'test-model',
      messages: [
        { role: 'system', content: 'You are the store assistant.' },
        { role: 'user', content: 'Where is LP-1001?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_9',
              type: 'function',
              function: { name: 'track_shipment', arguments: '{"orderNumber":"LP-1001"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_9', content: '{"status":"in_transit"}' },
        { role: 'assistant', content: 'It is on its way.' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      tools: [
        {
          type: 'function',
          function: {
            name: 'track_shipment',
            description: 'Tracking events of an order',
            parameters: {
              type: 'object',
              properties: { orderNumber: { type: 'string' } },
              required: ['orderNumber'],
            },
          },
        },
      ],
      temperature: 0.2,
      max_tokens: 300,
    });
  });

  it('retries a 429 after the Retry-After seconds, then streams the answer', async () => {
    script((_body, attempt) =>
      attempt === 0 ? [httpError(429, undefined, { 'retry-after': '1' })] : [say('Here.')],
    );
    const started = Date.now();
    const { events, error } = await collect(provider().chat(hello));
    assert.equal(error, undefined);
    assert.equal(textOf(events), 'Here.');
    assert.equal(server.chatRequests().length, 2);
    assert.ok(Date.now() - started >= 950, `waited only ${Date.now() - started} ms`);
  });

  it('reads retry-after-ms, Retry-After seconds and Retry-After as an HTTP date', () => {
    const now = Date.parse('Wed, 21 Oct 2025 07:28:00 GMT');
    assert.equal(parseRetryAfter(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now), 250);
    assert.equal(parseRetryAfter(new Headers({ 'retry-after': '2' }), now), 2000);
    assert.equal(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 21 Oct 2025 07:28:03 GMT' }), now), 3000);
    assert.equal(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 21 Oct 2025 07:27:00 GMT' }), now), 0);
    assert.equal(parseRetryAfter(new Headers({ 'retry-after': 'soon' }), now), undefined);
    assert.equal(parseRetryAfter(new Headers(), now), undefined);
  });

  it('gives up with LLM_RATE_LIMITED once maxRetries retries were rate limited', async () => {
    script(() => [
      httpError(429, { error: { message: 'Rate limit reached for requests' } }, { 'retry-after-ms': '10' }),
    ]);
    const { error } = await collect(provider({ maxRetries: 2 }).chat(hello));
    assert.equal(error?.code, 'LLM_RATE_LIMITED');
    assert.equal(error?.status, 429);
    assert.match(error?.message ?? '', /Rate limit reached/);
    assert.equal(server.chatRequests().length, 3);
  });

  it('does not wait when the server asks for longer than the customer can', async () => {
    script(() => [httpError(429, undefined, { 'retry-after': '120' })]);
    const started = Date.now();
    const { error } = await collect(provider({ maxRetryDelayMs: 5000 }).chat(hello));
    assert.equal(error?.code, 'LLM_RATE_LIMITED');
    assert.ok(Date.now() - started < 1000);
    assert.equal(server.chatRequests().length, 1);
  });

  it('fails a 401 at once with LLM_AUTH_FAILED and the provider message', async () => {
    script(() => [
      httpError(401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } }),
    ]);
    const { error } = await collect(provider().chat(hello));
    assert.equal(error?.code, 'LLM_AUTH_FAILED');
    assert.equal(error?.status, 401);
    assert.match(error?.message ?? '', /Incorrect API key provided/);
    assert.equal(server.chatRequests().length, 1);
  });

  it('fails a 400 at once with LLM_BAD_REQUEST, carrying the message of an Ollama-style error', async () => {
    script(() => [httpError(400, { error: 'model "llama9" not found, try pulling it first' })]);
    const { error } = await collect(provider().chat(hello));
    assert.equal(error?.code, 'LLM_BAD_REQUEST');
    assert.match(error?.message ?? '', /model "llama9" not found/);
    assert.equal(server.chatRequests().length, 1);
  });

  it('retries a 500 and succeeds; persistent 503s end as LLM_UNAVAILABLE', async () => {
    script((_body, attempt) => (attempt === 0 ? [httpError(500)] : [say('Recovered.')]));
    const first = await collect(provider().chat(hello));
    assert.equal(textOf(first.events), 'Recovered.');
    assert.equal(server.chatRequests().length, 2);

    script(() => [httpError(503, 'upstream overloaded')]);
    const second = await collect(provider({ maxRetries: 1 }).chat(hello));
    assert.equal(second.error?.code, 'LLM_UNAVAILABLE');
    assert.equal(second.error?.status, 503);
    assert.match(second.error?.message ?? '', /upstream overloaded/);
    assert.equal(server.chatRequests().length, 2);
  });

  it('reports a refused connection as LLM_UNAVAILABLE after its retries', async () => {
    const port = await closedPort();
    const client = new OpenAiCompatibleProvider({
      baseUrl: `http://127.0.0.1:${port}/v1`,
      model: 'm',
      maxRetries: 1,
      retryBaseDelayMs: 5,
    });
    const { error } = await collect(client.chat(hello));
    assert.equal(error?.code, 'LLM_UNAVAILABLE');
    assert.match(error?.message ?? '', /ECONNREFUSED/);
  });

  it('ends with LLM_BAD_RESPONSE on an error object mid-stream, without retrying a half-told answer', async () => {
    script(() => [
      say('Your order'),
      { type: 'stream_error', message: 'The server had an error while processing your request.' },
    ]);
    const { events, error } = await collect(provider().chat(hello));
    assert.equal(textOf(events), 'Your order');
    assert.equal(error?.code, 'LLM_BAD_RESPONSE');
    assert.match(error?.message ?? '', /error while processing/);
    assert.equal(server.chatRequests().length, 1);
  });

  it('retries a stream cut before anything was delivered, but not one cut after', async () => {
    script((_body, attempt) => (attempt === 0 ? [{ type: 'hang_up' }] : [say('Second try.')]));
    const early = await collect(provider().chat(hello));
    assert.equal(textOf(early.events), 'Second try.');
    assert.equal(server.chatRequests().length, 2);

    script(() => [say('Half an'), pauseFor(20), { type: 'hang_up' }]);
    const late = await collect(provider().chat(hello));
    assert.equal(textOf(late.events), 'Half an');
    assert.equal(late.error?.code, 'LLM_UNAVAILABLE');
    assert.equal(server.chatRequests().length, 1);
  });

  it('stops quickly with LLM_ABORTED when the signal fires mid-stream, and closes the connection', async () => {
    script(() => [say('Let me'), pauseFor(10_000), say(' never say this')]);
    const controller = new AbortController();
    let abortedAt = 0;
    const events: LlmEvent[] = [];
    let caught: unknown;
    try {
      for await (const event of provider().chat({ ...hello, signal: controller.signal })) {
        events.push(event);
        if (event.type === 'text' && !abortedAt) {
          abortedAt = Date.now();
          controller.abort();
        }
      }
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof LlmError);
    assert.equal(caught.code, 'LLM_ABORTED');
    assert.ok(Date.now() - abortedAt < 200, `took ${Date.now() - abortedAt} ms`);
    assert.equal(textOf(events), 'Let me');
    assert.equal(await server.chatRequests()[0]?.ended, 'aborted');
  });

  it('closes the connection when the caller stops reading without aborting', async () => {
    script(() => [say('One'), pauseFor(10_000), say(' two')]);
    for await (const event of provider().chat(hello)) {
      if (event.type === 'text') break;
    }
    assert.equal(await server.chatRequests()[0]?.ended, 'aborted');
  });

  it('abandons a retry wait as soon as the signal fires', async () => {
    script(() => [httpError(429, undefined, { 'retry-after-ms': '5000' })]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const { error } = await collect(provider().chat({ ...hello, signal: controller.signal }));
    assert.equal(error?.code, 'LLM_ABORTED');
    assert.ok(Date.now() - started < 500);
  });

  it('times out a server that goes silent mid-answer', async () => {
    script(() => [say('Checking'), pauseFor(2000), say(' done')]);
    const { events, error } = await collect(provider({ timeoutMs: 200 }).chat(hello));
    assert.equal(textOf(events), 'Checking');
    assert.equal(error?.code, 'LLM_UNAVAILABLE');
    assert.match(error?.message ?? '', /sent nothing for 200 ms/);
  });

  it('survives keep-alives, garbage, CRLF, multi-line data and events split across network chunks', async () => {
    const chunk = (content: string): string =>
      JSON.stringify({
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta: { content }, finish_reason: null }],
      });
    const han = Buffer.from(`data: ${chunk('你好')}\n\n`);
    const cut = han.indexOf(Buffer.from('好')) + 1; // inside the three bytes of 好
    script(() => [
      { type: 'raw', data: ': keep-alive\n\n' },
      { type: 'raw', data: 'this line is garbage\n\n' },
      { type: 'raw', data: 'data: {not json at all\n\n' },
      { type: 'raw', data: 'event: ping\ndata: {}\n\n' },
      { type: 'raw', data: `data: ${chunk('A')}\r\n\r\n` },
      { type: 'raw', data: `data: ${chunk('B').slice(0, 25)}` },
      pauseFor(30),
      { type: 'raw', data: `${chunk('B').slice(25)}\r` },
      pauseFor(30),
      { type: 'raw', data: '\n\r\n' },
      { type: 'raw', data: 'data: {"choices":[{"index":0,\ndata: "delta":{"content":"C"}}]}\n\n' },
      { type: 'raw', data: han.subarray(0, cut) },
      pauseFor(30),
      { type: 'raw', data: han.subarray(cut) },
      say('!'),
    ]);
    const { events, error } = await collect(provider().chat(hello));
    assert.equal(error, undefined);
    assert.equal(textOf(events), 'ABC你好!');
    doneOf(events);
  });

  it('retries at once, without spending a retry, a request on a pooled connection the server had closed', async () => {
    const requestsOnSocket = new WeakMap<object, number>();
    const flaky = createHttpServer((req, res) => {
      const count = (requestsOnSocket.get(req.socket) ?? 0) + 1;
      requestsOnSocket.set(req.socket, count);
      // the second request on a connection finds it closed, as when a keep-alive timeout races it
      if (count === 2) req.socket.destroy();
      else answerWith(res, 'Fresh connection.');
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = flaky.address() as AddressInfo;
      const client = new OpenAiCompatibleProvider({
        baseUrl: `http://127.0.0.1:${port}/v1`,
        model: 'm',
        maxRetries: 0,
      });
      assert.equal(textOf((await collect(client.chat(hello))).events), 'Fresh connection.');
      const second = await collect(client.chat(hello));
      assert.equal(second.error, undefined);
      assert.equal(textOf(second.events), 'Fresh connection.');
    } finally {
      flaky.closeAllConnections();
      await new Promise<void>((resolve) => flaky.close(() => resolve()));
    }
  });

  it('streams over TLS from an https: provider, refusing a certificate the process does not trust', async () => {
    let handshakes = 0;
    const secure = createHttpsServer(TEST_TLS, (_req, res) => answerWith(res, 'Over TLS.'));
    secure.on('secureConnection', () => handshakes++);
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
    const agent = transportFor(new URL('https://127.0.0.1/')).agent as https.Agent;
    try {
      const { port } = secure.address() as AddressInfo;
      const client = new OpenAiCompatibleProvider({
        baseUrl: `https://127.0.0.1:${port}/v1`,
        model: 'm',
        maxRetries: 0,
      });
      const untrusted = await collect(client.chat(hello));
      assert.equal(untrusted.error?.code, 'LLM_UNAVAILABLE');
      assert.match(untrusted.error?.message ?? '', /SELF_SIGNED_CERT|certificate/i);

      // as NODE_EXTRA_CA_CERTS would, for this test only
      agent.options.ca = TEST_TLS.cert;
      const trusted = await collect(client.chat(hello));
      assert.equal(trusted.error, undefined);
      assert.equal(textOf(trusted.events), 'Over TLS.');
      assert.equal(handshakes, 1);
    } finally {
      delete agent.options.ca;
      secure.closeAllConnections();
      await new Promise<void>((resolve) => secure.close(() => resolve()));
    }
  });

  it('accepts a whole JSON completion from a server that ignores stream: true', async () => {
    const plain = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'chat.completion',
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: null,
                tool_calls: [
                  {
                    id: 'c1',
                    type: 'function',
                    function: { name: 'search_products', arguments: '{"q":"sofa"}' },
                  },
                ],
              },
              finish_reason: 'tool_calls',
            },
          ],
          usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
        }),
      );
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = plain.address() as AddressInfo;
      const client = new OpenAiCompatibleProvider({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm' });
      const { events } = await collect(client.chat(hello));
      assert.deepEqual(events, [
        { type: 'tool_call', call: { id: 'c1', name: 'search_products', arguments: '{"q":"sofa"}' } },
        { type: 'done', finishReason: 'tool_calls', usage: { promptTokens: 12, completionTokens: 5 } },
      ]);
    } finally {
      plain.closeAllConnections();
      await new Promise<void>((resolve) => plain.close(() => resolve()));
    }
  });

  it('embeds texts in order, with the embedding model, so that similar texts are close', async () => {
    script(() => []);
    const vectors = await provider({ embeddingModel: 'text-embedding-3-small' }).embed([
      'grey linen three-seat sofa',
      'sofa in grey linen, three seats',
      'gold pendant necklace',
    ]);
    assert.equal(vectors.length, 3);
    const cosine = (a: number[], b: number[]): number => a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0);
    const [sofa, sofaAgain, necklace] = vectors as [number[], number[], number[]];
    assert.ok(cosine(sofa, sofaAgain) > cosine(sofa, necklace));
    assert.equal(server.requests[0]?.body?.model, 'text-embedding-3-small');
    assert.deepEqual(await provider().embed([]), []);
  });

  it('maps embedding errors like chat errors', async () => {
    script(() => []);
    server.options.intercept = (path) =>
      path === '/v1/embeddings'
        ? { type: 'http_error', status: 401, body: { error: { message: 'bad key' } } }
        : undefined;
    await assert.rejects(
      provider().embed(['sofa']),
      (err: unknown) => err instanceof LlmError && err.code === 'LLM_AUTH_FAILED',
    );
    server.options.intercept = undefined;
  });

  it('probes /models: the served ids when a server answers, nothing when none does', async () => {
    server.options.models = ['llama3.2:3b', 'qwen2.5:7b'];
    assert.deepEqual(await OpenAiCompatibleProvider.probe(server.baseUrl), {
      models: ['llama3.2:3b', 'qwen2.5:7b'],
    });
    assert.equal(
      await OpenAiCompatibleProvider.probe(`http://127.0.0.1:${await closedPort()}/v1`),
      undefined,
    );

    // a port that accepts connections and never answers must not hold the start-up
    const silent = createTcpServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const { port } = silent.address() as AddressInfo;
      assert.equal(
        await OpenAiCompatibleProvider.probe(`http://127.0.0.1:${port}/v1`, { timeoutMs: 200 }),
        undefined,
      );
      assert.ok(Date.now() - started < 1000);
    } finally {
      silent.close();
    }
    server.options.models = undefined;
  });
});

describe('selectProvider', () => {
  let ollama: OpenAiServer;
  before(async () => {
    ollama = await startOpenAiServer({ models: ['nomic-embed-text:latest', 'llama3.2:3b', 'qwen2.5:7b'] });
  });
  after(() => ollama.close());

  it('uses the configured OpenAI-compatible endpoint without looking for Ollama', async () => {
    const chosen = await selectProvider(
      {
        llm: {
          kind: 'openai',
          baseUrl: 'https://api.deepseek.com/v1',
          apiKey: 'sk-x',
          model: 'deepseek-chat',
        },
      },
      { ollamaBaseUrl: ollama.baseUrl },
    );
    assert.ok(chosen instanceof OpenAiCompatibleProvider);
    assert.equal(chosen.model, 'deepseek-chat');
    assert.equal(chosen.limited, false);
    assert.equal(ollama.requests.length, 0);
  });

  it('finds a local Ollama and takes its first chat model, keeping its embedding model for search', async () => {
    const chosen = await selectProvider({}, { ollamaBaseUrl: ollama.baseUrl });
    assert.ok(chosen instanceof OpenAiCompatibleProvider);
    assert.equal(chosen.kind, 'openai-compatible');
    assert.equal(chosen.model, 'llama3.2:3b');
    const { events } = await collect(chosen.chat(hello));
    doneOf(events);
    await chosen.embed(['sofa']);
    assert.equal(
      ollama.requests.find((r) => r.path === '/v1/embeddings')?.body?.model,
      'nomic-embed-text:latest',
    );
  });

  it('returns nothing when no provider is configured and Ollama does not answer', async () => {
    assert.equal(
      await selectProvider({}, { ollamaBaseUrl: `http://127.0.0.1:${await closedPort()}/v1` }),
      undefined,
    );
    assert.equal(await selectProvider({}, { ollamaBaseUrl: false }), undefined);
  });

  it('asks for node-llama-cpp by version when a model file is configured without it', async () => {
    await assert.rejects(
      selectProvider({ llm: { kind: 'llama-cpp', modelPath: '/models/qwen2.5-1.5b-instruct-q4_k_m.gguf' } }),
      (err: unknown) =>
        err instanceof LlmError &&
        err.code === 'LLM_UNAVAILABLE' &&
        /node-llama-cpp@3\.21\.1/.test(err.message),
    );
  });
});

describe('the HTTP transport under the OpenAI-compatible provider', () => {
  it('speaks TLS to https: URLs and plain HTTP to http: ones, each over one shared keep-alive pool', () => {
    const secure = transportFor(new URL('https://api.openai.com/v1/chat/completions'));
    assert.equal(secure.request, https.request);
    assert.ok(secure.agent instanceof https.Agent);
    assert.equal((secure.agent as https.Agent).options.keepAlive, true);
    assert.equal(secure.agent.maxSockets, 256);
    assert.equal(transportFor(new URL('https://api.deepseek.com/v1')), secure);

    const plain = transportFor(new URL('http://127.0.0.1:11434/v1/chat/completions'));
    assert.notEqual(plain.request, https.request);
    assert.ok(!(plain.agent instanceof https.Agent));
    assert.equal(plain.agent.maxSockets, 256);
    assert.equal(transportFor(new URL('http://localhost:8000/v1')), plain);
  });

  it('refuses a provider URL that is neither http: nor https:', async () => {
    assert.throws(
      () => transportFor(new URL('ftp://models.example/v1')),
      (err: unknown) => err instanceof LlmError && err.code === 'LLM_UNAVAILABLE' && /ftp:/.test(err.message),
    );
    const client = new OpenAiCompatibleProvider({ baseUrl: 'ftp://models.example/v1', model: 'm' });
    const { error } = await collect(client.chat(hello));
    assert.equal(error?.code, 'LLM_UNAVAILABLE');
  });
});

describe('SseParser', () => {
  const stream =
    ': comment\r\nevent: message\r\ndata: {"a":1}\r\n\r\ndata: first\ndata: second\n\nid: 7\rdata: [DONE]\r\r';
  const expected = [
    { event: 'message', data: '{"a":1}' },
    { event: 'message', data: 'first\nsecond' },
    { event: 'message', data: '[DONE]' },
  ];

  it('gives the same events however the stream is cut into chunks', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      for (let second = cut; second <= stream.length; second += 7) {
        const parser = new SseParser();
        const messages = [
          ...parser.push(stream.slice(0, cut)),
          ...parser.push(stream.slice(cut, second)),
          ...parser.push(stream.slice(second)),
          ...parser.end(),
        ];
        assert.deepEqual(messages, expected, `cut at ${cut} and ${second}`);
      }
    }
  });

  it('keeps an event that the server did not close with a blank line', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push('data: last'), []);
    assert.deepEqual(parser.end(), [{ event: 'message', data: 'last' }]);
  });
});
