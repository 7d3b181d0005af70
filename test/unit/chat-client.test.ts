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
  type VoiceCallState,
  type VoiceLight,
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

  describe('voice', () => {
    const started: ChatServerMessage = {
      type: 'voice',
      status: 'started',
      room: 'voice-conv-1',
      token: 'room-token',
      identity: 'customer-conv-1',
    };

    /** A client welcomed into conv-1 at seq 0, and what it announces about the call. */
    const welcomed = async () => {
      const chat = connect();
      const line = await node.accept();
      await line.next('hello');
      line.send(welcome(0));
      await until(() => chat.status === 'open', 'welcome');
      const calls: VoiceCallState[] = [];
      const lights: VoiceLight[] = [];
      chat.on('voice', (call) => calls.push(structuredClone(call)));
      chat.on('voiceState', (light) => lights.push(light));
      return { chat, line, calls, lights };
    };

    it('asks for a call with the voice_start action and goes live in the room the node answers with', async () => {
      const { chat, line, calls } = await welcomed();
      chat.startVoice();
      const action = await line.next('action');
      assert.equal(action.action, 'voice_start');
      assert.ok(action.clientId.length > 0);
      line.send(started);
      await until(() => chat.voice.phase === 'live', 'the call');
      assert.deepEqual(calls, [
        { phase: 'starting' },
        {
          phase: 'live',
          room: 'voice-conv-1',
          token: 'room-token',
          identity: 'customer-conv-1',
          light: 'listening',
        },
      ]);
      assert.equal(chat.lastSeq, -1, 'voice frames are outside the sequence');
      assert.equal(chat.unconfirmed.length, 0, 'a voice action is not resent like a message');
    });

    it('lights who has the floor from voice_state: an interruption hands it to the customer, a false one back', async () => {
      const { chat, line, lights } = await welcomed();
      chat.startVoice();
      await line.next('action');
      line.send(
        started,
        { type: 'voice_state', state: 'hearing' },
        { type: 'voice_state', state: 'thinking', transcript: 'where is my order' },
        { type: 'voice_state', state: 'speaking' },
        { type: 'voice_state', state: 'interrupted', heard: 'Your order' },
        { type: 'voice_state', state: 'resumed' },
        { type: 'voice_state', state: 'listening' },
      );
      await until(() => lights.length === 6, 'six states');
      assert.deepEqual(lights, ['hearing', 'thinking', 'speaking', 'hearing', 'speaking', 'listening']);
      assert.equal(chat.voice.phase === 'live' && chat.voice.light, 'listening');
    });

    it("shows the customer's recognized speech, which has no bubble typed here, as the customer's", async () => {
      const { chat, line } = await welcomed();
      line.send(
        { seq: 1, type: 'message_start', messageId: 'c1', role: 'customer', at: 1 },
        {
          seq: 2,
          type: 'message_end',
          messageId: 'c1',
          role: 'customer',
          text: 'where is my order',
          at: 1,
          clientId: 'voice-lx3-1',
        },
        { seq: 3, type: 'message_start', messageId: 'a1', role: 'assistant', at: 2 },
        { seq: 4, type: 'token', messageId: 'a1', delta: 'It is with ' },
        { seq: 5, type: 'token', messageId: 'a1', delta: 'DHL.' },
      );
      await until(() => chat.lastSeq === 5, 'seq 5');
      assert.deepEqual(
        messages(chat).map((m) => [m.role, m.text, m.status]),
        [
          ['customer', 'where is my order', 'done'],
          ['assistant', 'It is with DHL.', 'streaming'],
        ],
      );
    });

    it('says why voice is unavailable and keeps the text chat working', async () => {
      const { chat, line, calls } = await welcomed();
      chat.startVoice();
      await line.next('action');
      line.send({ type: 'voice', status: 'unavailable', message: 'voice is not offered here' });
      await until(() => chat.voice.phase === 'off', 'the refusal');
      assert.deepEqual(calls.at(-1), { phase: 'off', unavailable: 'voice is not offered here' });
      chat.send('Where is my order?');
      assert.equal((await line.next('message')).text, 'Where is my order?');
    });

    it('hangs up with voice_stop, and stops a call the node starts after the customer hung up', async () => {
      const { chat, line, calls } = await welcomed();
      chat.startVoice();
      await line.next('action');
      chat.stopVoice();
      assert.deepEqual(calls.at(-1), { phase: 'off' }, 'off at once, before the node answers');
      assert.equal((await line.next('action')).action, 'voice_stop');
      line.send(started, { type: 'voice_state', state: 'listening' });
      assert.equal((await line.next('action')).action, 'voice_stop', 'the late start is ended');
      assert.equal(chat.voice.phase, 'off');
      assert.deepEqual(
        calls.map((c) => c.phase),
        ['starting', 'off'],
      );
    });

    it('asks again after the chat socket drops mid-call, and stays in the same room', async () => {
      const { chat, line: first, calls } = await welcomed();
      chat.startVoice();
      await first.next('action');
      first.send(started);
      await until(() => chat.voice.phase === 'live', 'the call');
      first.drop();

      const line = await node.accept();
      await line.next('hello');
      line.send(welcome(0));
      // The node watches the agent per socket: the new one must ask to hear its state.
      assert.equal((await line.next('action')).action, 'voice_start');
      line.send({ ...started, token: 'fresh-token' }, { type: 'voice_state', state: 'speaking' });
      await until(() => chat.voice.phase === 'live' && chat.voice.light === 'speaking', 'the light');
      assert.equal(calls.length, 2, 'no second live: the page is already in that room');
    });
  });
});
