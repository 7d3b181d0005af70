import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import type { DeskClientMessage, DeskServerMessage, StaffInfo } from '@liveport/protocol';
import {
  DeskClient,
  type DeskMessage,
  type DeskTransportFactory,
} from '../../packages/web/src/desk/DeskClient.ts';

/** The console's socket, in Node: `ws` behind the client's three-callback transport. */
const wsTransport: DeskTransportFactory = (url, handlers) => {
  const ws = new WebSocket(url);
  ws.on('open', () => handlers.onOpen());
  ws.on('message', (data) => handlers.onMessage(String(data)));
  ws.on('close', () => handlers.onClose());
  ws.on('error', () => undefined);
  return { send: (text) => ws.send(text), close: () => ws.close() };
};

/** One console socket as the scripted node sees it: the console's frames in order, events out. */
class Line {
  private readonly frames: DeskClientMessage[] = [];
  private waiting?: () => void;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as DeskClientMessage);
      this.waiting?.();
    });
  }

  async next<T extends DeskClientMessage['type']>(
    type: T,
    timeoutMs = 3000,
  ): Promise<Extract<DeskClientMessage, { type: T }>> {
    for (;;) {
      const index = this.frames.findIndex((f) => f.type === type);
      if (index >= 0) return this.frames.splice(index, 1)[0] as Extract<DeskClientMessage, { type: T }>;
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

  /** Frames of this type received so far, taken. */
  take<T extends DeskClientMessage['type']>(type: T): Extract<DeskClientMessage, { type: T }>[] {
    const taken = this.frames.filter((f) => f.type === type);
    for (const f of taken) this.frames.splice(this.frames.indexOf(f), 1);
    return taken as Extract<DeskClientMessage, { type: T }>[];
  }

  send(...messages: DeskServerMessage[]): void {
    for (const m of messages) this.ws.send(JSON.stringify(m));
  }

  /** Cut the connection the way a network drop does: no close handshake. */
  drop(): void {
    this.ws.terminate();
  }
}

/** A node that speaks /desk only as far as each test scripts it. */
class ScriptedDesk {
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
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/desk`;
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

const EMMA: StaffInfo = {
  id: 'staff-emma',
  name: 'Emma Clarke',
  email: 'emma@desk.example',
  role: 'agent',
  skills: ['after_sales'],
  languages: ['en'],
  maxConcurrent: 3,
  status: 'online',
};
const welcome: DeskServerMessage = {
  type: 'welcome',
  staff: EMMA,
  inbox: [],
  queues: [],
  offers: [],
  cannedReplies: [{ id: 'hi', title: 'Greeting', text: 'Hello!' }],
  translation: true,
};
const customerSays = (seq: number, text: string): DeskServerMessage => ({
  type: 'conversation',
  conversationId: 'conv-1',
  event: { seq, type: 'message_end', messageId: `m${seq}`, role: 'customer', text, at: seq },
});
/** a card has no id of its own: only its seq says it was seen */
const orderCard = (seq: number): DeskServerMessage => ({
  type: 'conversation',
  conversationId: 'conv-1',
  event: { seq, type: 'card', card: { kind: 'order', title: 'LP-1002' } },
});
const agentReply = (seq: number, text: string, clientId?: string): DeskServerMessage => ({
  type: 'conversation',
  conversationId: 'conv-1',
  event: {
    seq,
    type: 'message_end',
    messageId: `m${seq}`,
    role: 'agent',
    text,
    at: seq,
    author: 'Emma Clarke',
    clientId,
  },
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

describe('DeskClient', () => {
  let node: ScriptedDesk;
  let client: DeskClient | undefined;
  beforeEach(async () => {
    node = new ScriptedDesk();
    await node.listening();
  });
  afterEach(async () => {
    client?.close();
    client = undefined;
    await node.close();
  });

  const connect = () => {
    client = new DeskClient({
      url: node.url,
      token: 'session-token',
      transport: wsTransport,
      reconnectMinMs: 10,
      reconnectMaxMs: 40,
    });
    client.connect();
    return client;
  };
  const texts = (desk: DeskClient) =>
    desk.conversations.get('conv-1')!.items.map((i) => (i as DeskMessage).text);

  it('says hello with the session token and takes the snapshot of the welcome', async () => {
    const desk = connect();
    const line = await node.accept();
    assert.equal((await line.next('hello')).token, 'session-token');
    const offer = {
      item: {
        id: 'item-1',
        conversationId: 'conv-1',
        kind: 'handoff' as const,
        queue: 'after_sales:en',
        skill: 'after_sales',
        language: 'en',
        status: 'offered' as const,
        createdAt: 1,
      },
      expiresAt: Date.now() + 20_000,
    };
    line.send({ ...welcome, offers: [offer] } as DeskServerMessage);
    await until(() => desk.connection === 'open', 'the welcome');
    assert.equal(desk.staff?.name, 'Emma Clarke');
    assert.equal(desk.offers.length, 1);
    desk.accept('item-1');
    assert.equal((await line.next('accept')).itemId, 'item-1');
    line.send({ type: 'inbox', item: { ...offer.item, status: 'assigned', assignee: 'staff-emma' } });
    await until(() => desk.inbox.length === 1, 'the item in the inbox');
    assert.equal(desk.offers.length, 0, 'an item now ours is no longer an offer');
  });

  it('after a drop watches each conversation again from its last seq and drops replayed events it has', async () => {
    const desk = connect();
    let line = await node.accept();
    await line.next('hello');
    line.send(welcome);
    await until(() => desk.connection === 'open', 'the welcome');
    desk.watch('conv-1');
    assert.equal((await line.next('watch')).lastSeq, undefined, 'a first watch replays everything');
    line.send(customerSays(1, 'Where is my order?'), orderCard(2));
    await until(() => desk.conversations.get('conv-1')!.lastSeq === 2, 'two events');

    line.drop();
    line = await node.accept();
    await line.next('hello');
    line.send(welcome);
    const watch = await line.next('watch');
    assert.deepEqual(watch, { type: 'watch', conversationId: 'conv-1', lastSeq: 2 });
    // a node may replay from a little earlier than asked: what is here already counts once
    line.send(orderCard(2), customerSays(3, 'Hello?'));
    await until(() => desk.conversations.get('conv-1')!.lastSeq === 3, 'the replay');
    assert.deepEqual(
      desk.conversations
        .get('conv-1')!
        .items.map((i) => (i.kind === 'card' ? `card ${i.card.title}` : i.text)),
      ['Where is my order?', 'card LP-1002', 'Hello?'],
    );
  });

  it('resends a reply the node has not acknowledged, with the same clientId, and shows it once', async () => {
    const desk = connect();
    let line = await node.accept();
    await line.next('hello');
    line.send(welcome);
    await until(() => desk.connection === 'open', 'the welcome');
    desk.watch('conv-1');
    await line.next('watch');

    const shown = desk.reply('conv-1', 'Your parcel arrives today.');
    assert.equal(shown.status, 'sending');
    const first = await line.next('reply');
    // the line dies before the node's answer reaches the console
    line.drop();
    line = await node.accept();
    await line.next('hello');
    line.send(welcome);
    await line.next('watch');
    const again = await line.next('reply');
    assert.equal(again.clientId, first.clientId);
    assert.equal(again.text, 'Your parcel arrives today.');

    // the node took it once: its event (without the clientId) and its acknowledgement
    line.send(agentReply(4, 'Your parcel arrives today.'), {
      type: 'sent',
      conversationId: 'conv-1',
      clientId: first.clientId,
      seq: 4,
    });
    await until(() => desk.unacknowledged.length === 0, 'the acknowledgement');
    await until(() => texts(desk).length === 1, 'one bubble');
    const [only] = desk.conversations.get('conv-1')!.items as DeskMessage[];
    assert.equal(only!.status, 'done');
    assert.equal(only!.seq, 4);

    // acknowledged replies are not sent again after the next drop
    line.drop();
    line = await node.accept();
    await line.next('hello');
    line.send(welcome);
    await line.next('watch');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(line.take('reply').length, 0);
  });

  it('merges the echo of an acknowledged reply into the bubble typed here, translation and all', async () => {
    const desk = connect();
    const line = await node.accept();
    await line.next('hello');
    line.send(welcome);
    await until(() => desk.connection === 'open', 'the welcome');
    desk.watch('conv-1');
    await line.next('watch');
    desk.reply('conv-1', 'It arrives today.');
    const reply = await line.next('reply');
    line.send(
      { type: 'sent', conversationId: 'conv-1', clientId: reply.clientId, seq: 7 },
      {
        type: 'conversation',
        conversationId: 'conv-1',
        event: {
          seq: 7,
          type: 'message_end',
          messageId: 'm7',
          role: 'agent',
          text: 'Llega hoy.',
          at: 7,
          original: { text: 'It arrives today.', language: 'en' },
        },
      },
    );
    await until(() => desk.conversations.get('conv-1')!.lastSeq === 7, 'the echo');
    const items = desk.conversations.get('conv-1')!.items as DeskMessage[];
    assert.equal(items.length, 1);
    assert.equal(items[0]!.text, 'Llega hoy.', 'what the customer got');
    assert.equal(items[0]!.original?.text, 'It arrives today.', 'what the agent wrote');
  });

  it('gives up and asks for a new sign-in when the node refuses the session', async () => {
    const desk = connect();
    const line = await node.accept();
    await line.next('hello');
    let refused: string | undefined;
    desk.on('unauthorized', ({ code }) => (refused = code));
    line.send({ type: 'error', code: 'SESSION_INVALID', message: 'sign in again' });
    await until(() => refused !== undefined, 'the refusal');
    assert.equal(refused, 'SESSION_INVALID');
    assert.equal(desk.connection, 'closed');
    await assert.rejects(
      Promise.race([
        node.accept(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('no reconnect')), 200)),
      ]),
      /no reconnect|no connection/,
    );
  });
});
