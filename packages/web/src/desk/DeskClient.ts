import { TypedEmitter } from '@liveport/protocol/client';
import type {
  Card,
  ChatRole,
  ChatServerEvent,
  DeskCallback,
  DeskClientMessage,
  DeskColleague,
  DeskContext,
  DeskItem,
  DeskOffer,
  DeskServerMessage,
  HandoffInfo,
  StaffInfo,
  StaffStatus,
} from '@liveport/protocol';
import {
  webSocketTransport,
  type SocketTransport,
  type TransportFactory,
  type TransportHandlers,
} from '../socketTransport.ts';

/**
 * One staff member's side of the desk, without a DOM: the connection to the node's `/desk`,
 * the snapshot it answers `hello` with (inbox, offers, queues), and a transcript per watched
 * conversation. After a reconnect it says hello again, watches each conversation again from its
 * last seq (the node replays what was missed, a seq already seen is dropped), and resends the
 * replies the node has not acknowledged with `sent` under the same clientId, which the node
 * takes once. The console renders what this announces; tests can drive it in Node with `ws`.
 */

export { webSocketTransport };
export type DeskTransport = SocketTransport;
export type DeskTransportHandlers = TransportHandlers;
export type DeskTransportFactory = TransportFactory;

export type CannedReply = { id: string; title: string; text: string };
export type QueueInfo = { name: string; waiting: number; oldestWaitMs: number };
export type VideoInvite = Extract<DeskServerMessage, { type: 'video' }>;
export type RecordingState = Extract<DeskServerMessage, { type: 'recording' }>;

export interface DeskMessage {
  kind: 'message';
  /** stable for the life of the bubble: the clientId of a reply typed here, else the messageId */
  key: string;
  messageId?: string;
  clientId?: string;
  /** the conversation's seq of the finished message, once known */
  seq?: number;
  role: ChatRole;
  /** what the conversation holds: the customer's words, or what the customer was sent */
  text: string;
  /** a person's display name */
  author?: string;
  /** for an agent's translated reply: what they wrote, in their language */
  original?: { text: string; language: string };
  /** for a message in another language than the agent's: the node's translation for them */
  translation?: { text: string; language: string };
  /** sending: typed here, not yet `sent`; failed: the node refused it */
  status: 'sending' | 'streaming' | 'done' | 'failed';
  error?: string;
  at: number;
}

export interface DeskCard {
  kind: 'card';
  key: string;
  card: Card;
}

export type DeskTranscriptItem = DeskMessage | DeskCard;

/** What the customer's chat says of itself: its language and where the handoff stands. */
export interface ChatState {
  language: string;
  verified: boolean;
  handoff?: HandoffInfo;
}

/** One conversation the console follows. */
export interface WatchedConversation {
  id: string;
  /** the highest seq applied; -1 before the first event */
  lastSeq: number;
  items: DeskTranscriptItem[];
  context?: DeskContext;
  state?: ChatState;
}

export type DeskConnection = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface DeskWelcome {
  staff: StaffInfo;
  cannedReplies: CannedReply[];
  translation: boolean;
}

export interface DeskClientEvents {
  [event: string]: unknown[];
  connection: [DeskConnection];
  welcome: [DeskWelcome];
  /** the node refused the session (expired, logged out elsewhere): sign in again */
  unauthorized: [{ code: string; message: string }];
  staff: [StaffInfo];
  offers: [DeskOffer[]];
  inbox: [DeskItem[]];
  /** an item left this agent's inbox (closed, transferred, taken back) */
  inboxRemoved: [{ itemId: string; conversationId: string; reason: string }];
  queues: [QueueInfo[]];
  /** everyone else on the staff (for the transfer picker) */
  colleagues: [DeskColleague[]];
  /** booked call backs, soonest first */
  callbacks: [DeskCallback[]];
  context: [DeskContext];
  /** an item of a watched conversation appeared (isNew) or changed */
  item: [string, DeskTranscriptItem, boolean];
  /** an item typed here turned out to be the same as one the node sent: drop its bubble */
  itemRemoved: [string, string];
  chatState: [string, ChatState];
  video: [VideoInvite];
  videoEnded: [{ itemId: string; reason: string }];
  recording: [RecordingState];
  error: [{ code: string; message: string; clientId?: string }];
}

export interface DeskClientOptions {
  /** ws:// or wss:// URL of the node's /desk */
  url: string;
  /** the session token from POST /api/desk/login */
  token: string;
  /** default 'console'; a phone page is offered video calls only */
  device?: 'console' | 'phone';
  transport?: DeskTransportFactory;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** a ping when the line has been quiet this long; no answer within the same time means dead */
  keepaliveMs?: number;
}

type Reply = Extract<DeskClientMessage, { type: 'reply' }>;

export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class DeskClient extends TypedEmitter<DeskClientEvents> {
  connection: DeskConnection = 'idle';
  staff?: StaffInfo;
  cannedReplies: CannedReply[] = [];
  translation = false;
  offers: DeskOffer[] = [];
  inbox: DeskItem[] = [];
  queues: QueueInfo[] = [];
  colleagues: DeskColleague[] = [];
  callbacks: DeskCallback[] = [];
  readonly conversations = new Map<string, WatchedConversation>();

  /** replies typed here that the node has not acknowledged, oldest first */
  private pending: Reply[] = [];
  /** clientId -> seq the node gave a reply, until its event arrives */
  private sentSeq = new Map<string, number>();
  private transport?: DeskTransport;
  private welcomed = false;
  private stopped = true;
  private attempts = 0;
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private keepaliveTimer?: ReturnType<typeof setTimeout>;
  private readonly opts: Required<
    Pick<DeskClientOptions, 'reconnectMinMs' | 'reconnectMaxMs' | 'keepaliveMs'>
  > &
    DeskClientOptions;

  constructor(options: DeskClientOptions) {
    super();
    this.opts = { reconnectMinMs: 500, reconnectMaxMs: 15000, keepaliveMs: 25000, ...options };
  }

  /**
   * A consultation's recording as a file, fetched with this console's session (a plain link
   * cannot carry it). Rejects with the node's error message when refused.
   */
  async recording(conversationId: string, itemId: string): Promise<Blob> {
    const base = this.opts.url.replace(/^ws/, 'http').replace(/\/desk$/, '');
    const res = await fetch(
      `${base}/api/desk/recordings/${encodeURIComponent(conversationId)}/${encodeURIComponent(itemId)}`,
      { headers: { authorization: `Bearer ${this.opts.token}` } },
    );
    if (!res.ok) {
      const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
      throw new Error(body?.error?.message ?? `the node answered ${res.status}`);
    }
    return res.blob();
  }

  connect(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  /** Close for good (logout, the page leaving). */
  close(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.keepaliveTimer);
    this.transport?.close();
    this.transport = undefined;
    this.welcomed = false;
    this.setConnection('closed');
  }

  /** Drop the line as a network would (tests, the browser going offline); it reconnects. */
  drop(): void {
    const dead = this.transport;
    this.transport = undefined;
    dead?.close();
    this.dropped();
  }

  /** Skip the backoff wait (the browser says it is online again). */
  reconnectNow(): void {
    if (this.stopped || this.connection !== 'reconnecting') return;
    clearTimeout(this.reconnectTimer);
    this.open();
  }

  setStatus(status: StaffStatus): void {
    this.write({ type: 'status', status });
    if (this.staff) {
      this.staff = { ...this.staff, status };
      this.emit('staff', this.staff);
    }
  }

  accept(itemId: string): void {
    this.write({ type: 'accept', itemId });
  }

  decline(itemId: string): void {
    this.write({ type: 'decline', itemId });
    this.removeOffer(itemId);
  }

  /** Follow a conversation; what it already holds here is kept and only newer events come. */
  watch(conversationId: string): WatchedConversation {
    let conversation = this.conversations.get(conversationId);
    if (!conversation) {
      conversation = { id: conversationId, lastSeq: -1, items: [] };
      this.conversations.set(conversationId, conversation);
    }
    this.sendWatch(conversation);
    return conversation;
  }

  unwatch(conversationId: string): void {
    if (!this.conversations.delete(conversationId)) return;
    this.write({ type: 'unwatch', conversationId });
  }

  /** Send a reply; it shows at once and is resent after a drop until the node says `sent`. */
  reply(conversationId: string, text: string, verbatim = false): DeskMessage {
    const clientId = newClientId();
    const reply: Reply = { type: 'reply', conversationId, clientId, text };
    if (verbatim) reply.verbatim = true;
    const message: DeskMessage = {
      kind: 'message',
      key: clientId,
      clientId,
      role: 'agent',
      text,
      status: 'sending',
      at: Date.now(),
    };
    if (this.staff) message.author = this.staff.name;
    const conversation = this.conversations.get(conversationId);
    if (conversation) this.addItem(conversation, message);
    this.pending.push(reply);
    this.write(reply);
    return message;
  }

  takeover(conversationId: string): void {
    this.write({ type: 'takeover', conversationId });
  }

  handback(conversationId: string): void {
    this.write({ type: 'handback', conversationId });
  }

  transfer(
    conversationId: string,
    to: { agentId: string } | { queue: { skill: string; language: string } },
    note?: string,
  ): void {
    const message: DeskClientMessage = { type: 'transfer', conversationId, to };
    if (note) message.note = note;
    this.write(message);
  }

  closeConversation(conversationId: string): void {
    this.write({ type: 'close', conversationId });
  }

  recordConsent(itemId: string): void {
    this.write({ type: 'record_consent', itemId });
  }

  /** Replies not yet known to have reached the node. */
  get unacknowledged(): readonly Reply[] {
    return this.pending;
  }

  private open(): void {
    this.welcomed = false;
    this.setConnection(this.attempts === 0 ? 'connecting' : 'reconnecting');
    const factory = this.opts.transport ?? webSocketTransport;
    // Handlers of a socket already replaced (a late close, a stray frame) must change nothing.
    const mine: { transport?: DeskTransport } = {};
    const current = () => mine.transport !== undefined && mine.transport === this.transport;
    mine.transport = factory(this.opts.url, {
      onOpen: () => {
        if (!current()) return;
        this.send({
          type: 'hello',
          token: this.opts.token,
          ...(this.opts.device && { device: this.opts.device }),
        });
        this.armKeepalive();
      },
      onMessage: (text) => {
        if (current()) this.receive(text);
      },
      onClose: () => {
        if (current()) this.dropped();
      },
    });
    this.transport = mine.transport;
  }

  private dropped(): void {
    this.transport = undefined;
    this.welcomed = false;
    clearTimeout(this.keepaliveTimer);
    if (this.stopped) return;
    this.setConnection('reconnecting');
    // Exponential with jitter, so a node restart is not met by every console at once.
    const base = Math.min(this.opts.reconnectMaxMs, this.opts.reconnectMinMs * 2 ** this.attempts);
    this.attempts++;
    this.reconnectTimer = setTimeout(() => this.open(), base / 2 + Math.random() * (base / 2));
  }

  private receive(text: string): void {
    let msg: DeskServerMessage;
    try {
      msg = JSON.parse(text) as DeskServerMessage;
    } catch {
      return;
    }
    this.armKeepalive();
    switch (msg.type) {
      case 'welcome':
        return this.welcome(msg);
      case 'offer':
        this.offers = [...this.offers.filter((o) => o.item.id !== msg.offer.item.id), msg.offer];
        return this.emit('offers', this.offers);
      case 'offer_withdrawn':
        return this.removeOffer(msg.itemId);
      case 'inbox':
        return this.inboxChanged(msg.item);
      case 'inbox_removed':
        this.inbox = this.inbox.filter((i) => i.id !== msg.itemId);
        this.emit('inbox', this.inbox);
        return this.emit('inboxRemoved', {
          itemId: msg.itemId,
          conversationId: msg.conversationId,
          reason: msg.reason,
        });
      case 'queues':
        this.queues = msg.queues;
        return this.emit('queues', this.queues);
      case 'colleagues':
        this.colleagues = msg.colleagues.filter((c) => c.id !== this.staff?.id);
        return this.emit('colleagues', this.colleagues);
      case 'callback':
        this.callbacks = [...this.callbacks.filter((c) => c.id !== msg.callback.id), msg.callback].sort(
          (a, b) => a.at - b.at,
        );
        return this.emit('callbacks', this.callbacks);
      case 'context':
        return this.contextChanged(msg.context);
      case 'conversation':
        return this.event(msg.conversationId, msg.event, msg.translation);
      case 'sent':
        return this.sent(msg.conversationId, msg.clientId, msg.seq);
      case 'video':
        return this.emit('video', msg);
      case 'video_ended':
        return this.emit('videoEnded', { itemId: msg.itemId, reason: msg.reason });
      case 'recording':
        return this.emit('recording', msg);
      case 'error':
        return this.failed(msg);
      case 'pong':
        return;
    }
  }

  private welcome(msg: Extract<DeskServerMessage, { type: 'welcome' }>): void {
    this.welcomed = true;
    this.attempts = 0;
    this.staff = msg.staff;
    this.cannedReplies = msg.cannedReplies;
    this.translation = msg.translation;
    this.inbox = msg.inbox;
    this.queues = msg.queues;
    this.offers = msg.offers;
    this.colleagues = msg.colleagues ?? [];
    this.callbacks = msg.callbacks ?? [];
    this.setConnection('open');
    this.emit('welcome', {
      staff: msg.staff,
      cannedReplies: msg.cannedReplies,
      translation: msg.translation,
    });
    this.emit('staff', msg.staff);
    this.emit('inbox', this.inbox);
    this.emit('queues', this.queues);
    this.emit('offers', this.offers);
    this.emit('colleagues', this.colleagues);
    this.emit('callbacks', this.callbacks);
    // Pick every conversation up where this console left it, then say what it still owes.
    for (const conversation of this.conversations.values()) this.sendWatch(conversation);
    for (const reply of this.pending) this.send(reply);
  }

  private failed(msg: Extract<DeskServerMessage, { type: 'error' }>): void {
    if ((!this.welcomed && !msg.clientId) || msg.code === 'SESSION_EXPIRED') {
      // Refused before the welcome: the session is no good, and retrying will not make it so.
      this.stopped = true;
      clearTimeout(this.keepaliveTimer);
      this.transport?.close();
      this.transport = undefined;
      this.setConnection('closed');
      this.emit('unauthorized', { code: msg.code, message: msg.message });
      return;
    }
    if (msg.clientId) {
      const reply = this.pending.find((p) => p.clientId === msg.clientId);
      this.pending = this.pending.filter((p) => p.clientId !== msg.clientId);
      const conversation = reply && this.conversations.get(reply.conversationId);
      const item = conversation?.items.find((i) => i.key === msg.clientId);
      if (conversation && item?.kind === 'message') {
        item.status = 'failed';
        item.error = msg.message;
        this.emit('item', conversation.id, item, false);
      }
    }
    this.emit('error', { code: msg.code, message: msg.message, clientId: msg.clientId });
  }

  private removeOffer(itemId: string): void {
    const before = this.offers.length;
    this.offers = this.offers.filter((o) => o.item.id !== itemId);
    if (this.offers.length !== before) this.emit('offers', this.offers);
  }

  private inboxChanged(item: DeskItem): void {
    const index = this.inbox.findIndex((i) => i.id === item.id);
    if (item.status === 'closed') this.inbox = this.inbox.filter((i) => i.id !== item.id);
    else if (index >= 0) this.inbox = this.inbox.map((i) => (i.id === item.id ? item : i));
    else this.inbox = [...this.inbox, item];
    this.emit('inbox', this.inbox);
    // An item now ours is no longer an offer to us.
    if (item.status === 'assigned') this.removeOffer(item.id);
  }

  private contextChanged(context: DeskContext): void {
    const conversation = this.conversations.get(context.conversationId);
    if (conversation) conversation.context = context;
    this.emit('context', context);
  }

  private sendWatch(conversation: WatchedConversation): void {
    const watch: DeskClientMessage = { type: 'watch', conversationId: conversation.id };
    if (conversation.lastSeq >= 0) watch.lastSeq = conversation.lastSeq;
    this.write(watch);
  }

  private sent(conversationId: string, clientId: string, seq: number): void {
    this.pending = this.pending.filter((p) => p.clientId !== clientId);
    const conversation = this.conversations.get(conversationId);
    if (!conversation) return;
    const mine = conversation.items.find((i) => i.key === clientId);
    if (mine?.kind !== 'message') return;
    // The node's event for this reply may already be here, drawn as its own bubble.
    const echoed = conversation.items.find((i) => i !== mine && i.kind === 'message' && i.seq === seq);
    if (echoed) {
      conversation.items.splice(conversation.items.indexOf(mine), 1);
      this.emit('itemRemoved', conversationId, mine.key);
      return;
    }
    mine.seq = seq;
    mine.status = 'done';
    this.sentSeq.set(clientId, seq);
    this.emit('item', conversationId, mine, false);
  }

  private event(
    conversationId: string,
    ev: ChatServerEvent,
    translation?: { language: string; text: string },
  ): void {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) return;
    // Replays after a reconnect overlap what the console has: each seq counts once.
    if (ev.seq <= conversation.lastSeq) return;
    conversation.lastSeq = ev.seq;
    switch (ev.type) {
      case 'message_start': {
        if (ev.role === 'customer' || this.messageItem(conversation, ev.messageId)) return;
        this.addItem(conversation, {
          kind: 'message',
          key: ev.messageId,
          messageId: ev.messageId,
          role: ev.role,
          text: '',
          status: 'streaming',
          at: ev.at,
        });
        return;
      }
      case 'token': {
        const message = this.messageItem(conversation, ev.messageId);
        if (!message || message.status !== 'streaming') return;
        message.text += ev.delta;
        this.emit('item', conversationId, message, false);
        return;
      }
      case 'message_end': {
        let message = this.messageItem(conversation, ev.messageId) ?? this.ownReply(conversation, ev);
        const isNew = !message;
        message ??= {
          kind: 'message',
          key: ev.messageId,
          role: ev.role,
          text: '',
          status: 'done',
          at: ev.at,
        };
        message.messageId = ev.messageId;
        message.seq = ev.seq;
        message.role = ev.role;
        // The whole text replaces whatever tokens arrived, so a token lost in a drop heals here.
        message.text = ev.text;
        message.status = 'done';
        message.at = ev.at;
        if (ev.author) message.author = ev.author;
        if (ev.original) message.original = ev.original;
        if (translation) message.translation = translation;
        if (isNew) this.addItem(conversation, message);
        else this.emit('item', conversationId, message, false);
        return;
      }
      case 'card':
        this.addItem(conversation, { kind: 'card', key: `card-${ev.seq}`, card: ev.card });
        return;
      case 'state': {
        const state: ChatState = { language: ev.language, verified: ev.verified };
        if (ev.handoff) state.handoff = ev.handoff;
        conversation.state = state;
        this.emit('chatState', conversationId, state);
        return;
      }
    }
  }

  /** The bubble typed here that a finished agent message is the echo of, if any. */
  private ownReply(
    conversation: WatchedConversation,
    ev: Extract<ChatServerEvent, { type: 'message_end' }>,
  ): DeskMessage | undefined {
    if (ev.role !== 'agent') return undefined;
    for (const item of conversation.items) {
      if (item.kind !== 'message' || !item.clientId) continue;
      if (item.clientId === ev.clientId || this.sentSeq.get(item.clientId) === ev.seq) {
        this.sentSeq.delete(item.clientId);
        return item;
      }
    }
    return undefined;
  }

  private messageItem(conversation: WatchedConversation, messageId: string): DeskMessage | undefined {
    const item = conversation.items.find((i) => i.kind === 'message' && i.messageId === messageId);
    return item?.kind === 'message' ? item : undefined;
  }

  private addItem(conversation: WatchedConversation, item: DeskTranscriptItem): void {
    conversation.items.push(item);
    this.emit('item', conversation.id, item, true);
  }

  /** Only once welcomed: before that the hello's answer decides, and the welcome resends. */
  private write(message: DeskClientMessage): void {
    if (this.welcomed) this.send(message);
  }

  private send(message: DeskClientMessage): void {
    try {
      this.transport?.send(JSON.stringify(message));
    } catch {
      // A socket closing under us: the close handler reconnects and the welcome resends.
    }
  }

  private armKeepalive(): void {
    clearTimeout(this.keepaliveTimer);
    if (this.stopped) return;
    this.keepaliveTimer = setTimeout(() => {
      this.send({ type: 'ping' });
      // Any frame re-arms this timer; silence after a ping means the line is dead.
      this.keepaliveTimer = setTimeout(() => this.drop(), this.opts.keepaliveMs);
    }, this.opts.keepaliveMs);
    (this.keepaliveTimer as { unref?: () => void }).unref?.();
  }

  private setConnection(connection: DeskConnection): void {
    if (connection === this.connection) return;
    this.connection = connection;
    this.emit('connection', connection);
  }
}
