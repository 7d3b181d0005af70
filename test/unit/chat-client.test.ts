import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import type { ChatClientMessage, ChatServerMessage } from '@liveport/protocol';
import {
  ChatClient,
  type ChatMessage,
  type KeyValueStore,
  type TransportFactory,
} from '../../packages/web/src/widget/ChatClient.ts';

/** The widget's socket, in Node: `ws` behind the client's three-callback transport. */
const wsTransport: TransportFactory = (url, handlers) => {
  const ws = new WebSocket(url);
  ws.on('open', () => handlers.onOpen());
  ws.on('message', (data) => handlers.onMessage(String(data)));
  ws.on('close', () => handlers.onClose());
  ws.on('error', () => undefined);
  return { send: (text) => ws.send(text), close: () => ws.close() };
};

class MemoryStore implements KeyValueStore {
  readonly data = new Map<string, string>();
  getItem = (key: string) => this.data.get(key) ?? null;
  setItem = (key: string, value: string) => void this.data.set(key, value);
  removeItem = (key: string) => void this.data.delete(key);
}

/** One client socket as the scripted node sees it: read the client's frames in order, write events. */
class Line {
  private readonly frames: ChatClientMessage[] = [];
  private waiting?: () => void;
  closed = false;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as ChatClientMessage);
      this.waiting?.();
    });
    ws.on('close', () => (this.closed = true));
  }

  /** The next frame of the given type; others (acks, pings) are skipped. */
  async next<T extends ChatClientMessage['type']>(
    type: T,
    timeoutMs = 3000,
  ): Promise<Extract<ChatClientMessage, { type: T }>> {
    for (;;) {
      const index = this.frames.findIndex((f) => f.type === type);
      if (index >= 0) return this.frames.splice(index, 1)[0] as Extract<ChatClientMessage, { type: T }>;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${type} frame within ${timeoutMs} ms`)),
          timeoutMs,
        );
        this.waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  send(...messages: ChatServerMessage[]): void {
    for (const m of messages) this.ws.send(JSON.stringify(m));
  }

  /** Cut the connection the way a network drop does: no close handshake. */
  drop(): void {
    this.ws.terminate();
  }
}

/** A node that speaks /chat only as far as each test scripts it. */
class ScriptedNode {
  readonly wss: WebSocketServer;
  private readonly lines: Line[] = [];
  private waiting?: () => void;

  constructor() {
    this.wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    this.wss.on('connection', (ws) => {
      this.lines.push(new Line(ws));
      this.waiting?.();
    });
  }

  listening(): Promise<void> {
    return new Promise((resolve) => this.wss.once('listening', () => resolve()));
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/chat`;
  }

  async accept(): Promise<Line> {
    while (!this.lines.length) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no connection within 3 s')), 3000);
        this.waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.lines.shift()!;
  }

  close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}

const brain = { kind: 'fallback', model: 'guided steps', limited: true };
const welcome = (seq: number): ChatServerMessage => ({
  type: 'welcome',
  conversationId: 'conv-1',
  resumeToken: 'secret-1',
  seq,
  brain,
  disclosure: 'You are talking to an AI assistant.',
});

function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 5);
    };
    tick();
  });
}

const messages = (client: ChatClient) => client.items.filter((i): i is ChatMessage => i.kind === 'message');

describe('ChatClient', () => {
  let node: ScriptedNode;
  let client: ChatClient | undefined;
  // A node per test, so a socket of one test never reaches the next.
  beforeEach(async () => {
    node = new ScriptedNode();
    await node.listening();
  });
  afterEach(async () => {
    client?.close();
    client = undefined;
    await node.close();
  });

  const connect = (storage = new MemoryStore()) => {
    client = new ChatClient({
      url: node.url,
      transport: wsTransport,
      storage,
      page: () => ({ url: 'https://shop.example/products/oslo-sofa', product: 'oslo-sofa' }),
      language: 'es-ES',
      ackDelayMs: 20,
      reconnectMinMs: 10,
      reconnectMaxMs: 40,
    });
    client.connect();
    return client;
  };

  it('starts a conversation with the page as context and acknowledges shown events in one batch', async () => {
    const chat = connect();
    const line = await node.accept();
    const hello = await line.next('hello');
    assert.equal(hello.conversationId, undefined);
    assert.equal(hello.language, 'es-ES');
    assert.equal(hello.page?.product, 'oslo-sofa');
    line.send(
      welcome(0),
      { seq: 1, type: 'message_start', messageId: 'a1', role: 'assistant', at: 1 },
      { seq: 2, type: 'token', messageId: 'a1', delta: 'Hola' },
      { seq: 3, type: 'message_end', messageId: 'a1', role: 'assistant', text: 'Hola', at: 2 },
    );
    const ack = await line.next('ack');
    assert.equal(ack.seq, 3, 'one ack covers the three events');
    assert.equal(chat.brain?.limited, true);
    assert.deepEqual(
      messages(chat).map((m) => m.text),
      ['Hola'],
    );
  });

  it('resumes with conversationId, resumeToken and lastSeq, and drops replayed seqs it already has', async () => {
    const chat = connect();
    let line = await node.accept();
    await line.next('hello');
    line.send(
      welcome(0),
      { seq: 1, type: 'message_start', messageId: 'a1', role: 'assistant', at: 1 },
      { seq: 2, type: 'token', messageId: 'a1', delta: 'The sofa is ' },
      { seq: 3, type: 'token', messageId: 'a1', delta: '220 cm ' },
    );
    await until(() => chat.lastSeq === 3, 'seq 3');
    line.drop();

    line = await node.accept();
    const hello = await line.next('hello');
    assert.equal(hello.conversationId, 'conv-1');
    assert.equal(hello.resumeToken, 'secret-1');
    assert.equal(hello.lastSeq, 3);
    // A node may replay from earlier than asked; seqs 2 and 3 must not be appended twice.
    line.send(
      welcome(5),
      { seq: 2, type: 'token', messageId: 'a1', delta: 'The sofa is ' },
      { seq: 3, type: 'token', messageId: 'a1', delta: '220 cm ' },
      { seq: 4, type: 'token', messageId: 'a1', delta: 'wide.' },
      {
        seq: 5,
        type: 'message_end',
        messageId: 'a1',
        role: 'assistant',
        text: 'The sofa is 220 cm wide.',
        at: 2,
      },
      { seq: 3, type: 'token', messageId: 'a1', delta: '220 cm ' },
    );
    await until(() => chat.lastSeq === 5, 'seq 5');
    await new Promise((r) => setTimeout(r, 30));
    const shown = messages(chat);
    assert.equal(shown.length, 1);
    assert.equal(shown[0]!.text, 'The sofa is 220 cm wide.');
    assert.equal(shown[0]!.status, 'done');
  });

  it('picks the conversation up after a page load from what it stored', async () => {
    const storage = new MemoryStore();
    const first = connect(storage);
    let line = await node.accept();
    await line.next('hello');
    line.send(welcome(0), { seq: 1, type: 'state', language: 'ar', verified: false });
    await until(() => first.lastSeq === 1, 'seq 1');
    first.close();

    const second = connect(storage);
    assert.equal(second.state.language, 'ar', 'the stored state is there before the socket opens');
    line = await node.accept();
    const hello = await line.next('hello');
    assert.deepEqual([hello.conversationId, hello.resumeToken, hello.lastSeq], ['conv-1', 'secret-1', 1]);
  });

  it('resends a message the node did not echo before a drop, with the same clientId, once', async () => {
    const chat = connect();
    let line = await node.accept();
    await line.next('hello');
    line.send(welcome(0));
    await until(() => chat.status === 'open', 'welcome');
    chat.send('Where is my order?');
    const sent = await line.next('message');
    line.drop();

    line = await node.accept();
    await line.next('hello');
    assert.equal(messages(chat)[0]!.status, 'sending', 'still unconfirmed while offline');
    line.send(welcome(0));
    const resent = await line.next('message');
    assert.equal(resent.clientId, sent.clientId);
    assert.equal(resent.text, 'Where is my order?');
    line.send(
      { seq: 1, type: 'message_start', messageId: 'c1', role: 'customer', at: 1 },
      {
        seq: 2,
        type: 'message_end',
        messageId: 'c1',
        role: 'customer',
        text: 'Where is my order?',
        at: 1,
        clientId: sent.clientId,
      },
    );
    await until(() => chat.unconfirmed.length === 0, 'the echo');
    const shown = messages(chat);
    assert.equal(shown.length, 1, 'the echo is the same bubble, not a second one');
    assert.equal(shown[0]!.status, 'done');
  });

  it('does not resend a message whose echo comes in the replay', async () => {
    const chat = connect();
    let line = await node.accept();
    await line.next('hello');
    line.send(welcome(0));
    await until(() => chat.status === 'open', 'welcome');
    const { clientId } = chat.send('Hola');
    await line.next('message');
    line.drop();

    line = await node.accept();
    await line.next('hello');
    line.send(welcome(1), {
      seq: 1,
      type: 'message_end',
      messageId: 'c1',
      role: 'customer',
      text: 'Hola',
      at: 1,
      clientId,
    });
    await until(() => chat.unconfirmed.length === 0, 'the replayed echo');
    await assert.rejects(line.next('message', 200), /no message frame/);
  });

  it("replaces a reply's streamed text with message_end's, healing tokens lost in a drop", async () => {
    const chat = connect();
    let line = await node.accept();
    await line.next('hello');
    line.send(
      welcome(0),
      { seq: 1, type: 'message_start', messageId: 'a1', role: 'assistant', at: 1 },
      { seq: 2, type: 'token', messageId: 'a1', delta: 'Your order ' },
    );
    await until(() => chat.lastSeq === 2, 'seq 2');
    line.drop();

    // Tokens live only in the node's memory: after the drop it replays the finished message alone.
    line = await node.accept();
    await line.next('hello');
    line.send(welcome(5), {
      seq: 5,
      type: 'message_end',
      messageId: 'a1',
      role: 'assistant',
      text: 'Your order LP-1042 was delivered on 3 March.',
      at: 2,
    });
    await until(() => chat.lastSeq === 5, 'seq 5');
    const [reply] = messages(chat);
    assert.equal(reply!.text, 'Your order LP-1042 was delivered on 3 March.');
    assert.equal(messages(chat).length, 1);
  });

  it('starts a new conversation, keeping unsent text, when the node refuses to resume', async () => {
    const storage = new MemoryStore();
    storage.setItem(
      'liveport.chat',
      JSON.stringify({
        conversationId: 'gone',
        resumeToken: 'old',
        lastSeq: 9,
        items: [],
        pending: [{ type: 'message', clientId: 'abc', text: 'Still there?' }],
      }),
    );
    const chat = connect(storage);
    let line = await node.accept();
    assert.equal((await line.next('hello')).conversationId, 'gone');
    line.send({ type: 'error', code: 'RESUME_DENIED', message: 'not your conversation' });

    line = await node.accept();
    const hello = await line.next('hello');
    assert.equal(hello.conversationId, undefined);
    line.send(welcome(0));
    const resent = await line.next('message');
    assert.deepEqual([resent.clientId, resent.text], ['abc', 'Still there?']);
    assert.equal(chat.conversationId, 'conv-1');
    assert.equal(chat.lastSeq, -1);
  });

  it('sends a form as one action with its values', async () => {
    const chat = connect();
    const line = await node.accept();
    await line.next('hello');
    line.send(welcome(0));
    await until(() => chat.status === 'open', 'welcome');
    chat.act('lookup_order', { orderNumber: 'LP-1042', email: 'ana@example.com' });
    const action = await line.next('action');
    assert.equal(action.action, 'lookup_order');
    assert.deepEqual(action.values, { orderNumber: 'LP-1042', email: 'ana@example.com' });
    assert.ok(action.clientId.length > 0);
  });
});
