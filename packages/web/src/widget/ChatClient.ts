import { TypedEmitter } from '@liveport/protocol/client';
import type {
  BrainInfo,
  Card,
  ChatClientMessage,
  ChatRole,
  ChatServerEvent,
  ChatServerMessage,
  HandoffInfo,
  PageContext,
} from '@liveport/protocol';
import { webSocketTransport, type SocketTransport, type TransportFactory } from '../socketTransport.ts';

/**
 * The customer's side of one chat conversation, without a DOM: the connection to the node's
 * `/chat`, the sequence bookkeeping that makes a reconnect lose and double nothing, the resend
 * of customer messages the node may not have received, and the transcript they build. The
 * widget renders what this announces; tests drive it in Node with `ws`.
 */

export { webSocketTransport };
export type { TransportFactory };
export type { TransportHandlers } from '../socketTransport.ts';
export type ChatTransport = SocketTransport;

/** localStorage, or anything with its three methods. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface ChatMessage {
  kind: 'message';
  /** stable for the life of the bubble: the clientId of a message typed here, else the messageId */
  key: string;
  messageId?: string;
  clientId?: string;
  role: ChatRole;
  text: string;
  /** sending: typed here, not yet echoed by the node; failed: the node refused it */
  status: 'sending' | 'streaming' | 'done' | 'failed';
  interrupted?: boolean;
  error?: string;
  at: number;
}

export interface ChatCard {
  kind: 'card';
  key: string;
  messageId?: string;
  card: Card;
  /** the action this card's customer already chose, so a restored card stays answered */
  chosen?: string;
}

export type TranscriptItem = ChatMessage | ChatCard;

export interface ConversationState {
  language: string;
  verified: boolean;
  typing: boolean;
  handoff?: HandoffInfo;
}

export interface WelcomeInfo {
  conversationId: string;
  brain: BrainInfo;
  disclosure: string;
  resumed: boolean;
}

export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

type VoiceStateMessage = Extract<ChatServerMessage, { type: 'voice_state' }>;
/** What the node says the voice agent is doing. */
export type VoiceAgentState = VoiceStateMessage['state'];
/**
 * The Talk button's light: who has the floor. An interruption hands it to the customer, a
 * false one gives it back to the agent.
 */
export type VoiceLight = 'listening' | 'hearing' | 'thinking' | 'speaking';

export function voiceLight(state: VoiceAgentState): VoiceLight {
  if (state === 'interrupted') return 'hearing';
  if (state === 'resumed') return 'speaking';
  return state;
}

/**
 * The customer's voice call with the agent, as far as the chat knows it: asked for, or live
 * in a room the page joins with the SDK. Off carries why when the node refused.
 */
export type VoiceCallState =
  | { phase: 'off'; unavailable?: string }
  | { phase: 'starting' }
  | { phase: 'live'; room: string; token: string; identity: string; light: VoiceLight };

export interface ChatClientEvents {
  [event: string]: unknown[];
  status: [ConnectionStatus];
  welcome: [WelcomeInfo];
  /** an item appeared (isNew) or changed (streamed text, echo, failure) */
  item: [TranscriptItem, boolean];
  state: [ConversationState];
  /** the conversation was dropped (the node refused to resume it); the transcript is empty again */
  reset: [];
  error: [{ code: string; message: string; clientId?: string }];
  /** the call started, ended or was refused (not fired for light changes) */
  voice: [VoiceCallState];
  /** the agent's state during a live call; transcript is what it heard, when it starts thinking */
  voiceState: [VoiceLight, VoiceStateMessage];
}

export interface ChatClientOptions {
  /** ws:// or wss:// URL of the node's /chat */
  url: string;
  transport?: TransportFactory;
  /** where conversationId, resumeToken, lastSeq and the transcript survive a page load */
  storage?: KeyValueStore;
  storageKey?: string;
  /** the page the customer is on, read at every hello and message */
  page?: () => PageContext;
  language?: string;
  customerToken?: string;
  /** acks are batched: one per this many ms at most */
  ackDelayMs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** a ping when the line has been quiet this long; no answer within the same time means dead */
  keepaliveMs?: number;
}

/** A message or action sent but not yet echoed by the node: resent, same clientId, after a drop. */
type Outgoing = Extract<ChatClientMessage, { type: 'message' } | { type: 'action' }>;

interface Saved {
  conversationId: string;
  resumeToken: string;
  lastSeq: number;
  items: TranscriptItem[];
  pending: Outgoing[];
  welcome?: { brain: BrainInfo; disclosure: string };
  state?: ConversationState;
}

/** The transcript kept across page loads; older items go first. */
const MAX_SAVED_ITEMS = 150;
const MAX_PENDING = 20;
/** Errors that mean the stored conversation cannot be resumed: start a new one. */
const RESUME_FAILURES = new Set(['RESUME_DENIED', 'CONVERSATION_NOT_FOUND', 'CONVERSATION_CLOSED']);

export function newClientId(): string {
  // getRandomValues, unlike randomUUID, also exists on plain-http store pages.
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class ChatClient extends TypedEmitter<ChatClientEvents> {
  conversationId?: string;
  resumeToken?: string;
  /** the highest seq processed; -1 before the first event */
  lastSeq = -1;
  brain?: BrainInfo;
  disclosure?: string;
  status: ConnectionStatus = 'idle';
  state: ConversationState = { language: '', verified: false, typing: false };
  readonly items: TranscriptItem[] = [];
  voice: VoiceCallState = { phase: 'off' };

  private readonly byKey = new Map<string, TranscriptItem>();
  /** messageId -> key of the bubble showing it (a customer bubble is keyed by its clientId) */
  private readonly keyOfMessage = new Map<string, string>();
  private pending: Outgoing[] = [];
  private transport?: ChatTransport;
  private welcomed = false;
  /** replayed events still to come after a resume; customer messages wait for them */
  private replayUntil = -1;
  private ackedSeq = -1;
  private ackTimer?: ReturnType<typeof setTimeout>;
  private saveTimer?: ReturnType<typeof setTimeout>;
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private keepaliveTimer?: ReturnType<typeof setTimeout>;
  private replayTimer?: ReturnType<typeof setTimeout>;
  private attempts = 0;
  private stopped = true;
  private cardCount = 0;
  /**
   * The voice action the node must still get. Voice actions are not in `pending`: the node
   * answers them with a `voice` frame, not an echo, and a call is the page's, not the
   * conversation's, so a stored one must not start a call on the next page.
   */
  private voiceOutbox?: 'voice_start' | 'voice_stop';
  private readonly opts: Required<
    Pick<ChatClientOptions, 'ackDelayMs' | 'reconnectMinMs' | 'reconnectMaxMs' | 'keepaliveMs' | 'storageKey'>
  > &
    ChatClientOptions;

  constructor(options: ChatClientOptions) {
    super();
    this.opts = {
      ackDelayMs: 300,
      reconnectMinMs: 500,
      reconnectMaxMs: 15000,
      keepaliveMs: 25000,
      storageKey: 'liveport.chat',
      ...options,
    };
    this.restore();
  }

  /** Whether a conversation from an earlier page is stored (the widget reconnects to it at once). */
  get hasConversation(): boolean {
    return this.conversationId !== undefined;
  }

  connect(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  /** Close for good (the page is leaving, a test ends); what is stored stays. */
  close(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.keepaliveTimer);
    clearTimeout(this.replayTimer);
    this.flushAck();
    this.save();
    this.transport?.close();
    this.transport = undefined;
    this.setStatus('closed');
  }

  /** Skip the backoff wait (the browser says it is online again). */
  reconnectNow(): void {
    if (this.stopped || this.status !== 'reconnecting') return;
    clearTimeout(this.reconnectTimer);
    this.open();
  }

  /** Send the customer's text; it shows at once and is resent until the node echoes it. */
  send(text: string): ChatMessage {
    const clientId = newClientId();
    const message: ChatMessage = {
      kind: 'message',
      key: clientId,
      clientId,
      role: 'customer',
      text,
      status: 'sending',
      at: Date.now(),
    };
    this.addItem(message);
    this.queue({ type: 'message', clientId, text, page: this.page() });
    return message;
  }

  /** Press a card's button or submit its form. */
  act(action: string, values: Record<string, string> = {}, cardKey?: string): void {
    if (cardKey) {
      const card = this.byKey.get(cardKey);
      if (card?.kind === 'card') {
        card.chosen = action;
        this.emit('item', card, false);
      }
    }
    this.queue({ type: 'action', clientId: newClientId(), action, values });
  }

  /**
   * Ask the node for a voice call with the agent. The answer comes as `voice`: live (with the
   * room and token for the SDK) or off with the reason it is unavailable.
   */
  startVoice(): void {
    if (this.voice.phase !== 'off') return;
    this.setVoice({ phase: 'starting' });
    this.sendVoice('voice_start');
  }

  /** Hang up: the call is off at once here; the node is told to end the agent's side. */
  stopVoice(): void {
    if (this.voice.phase === 'off') return;
    this.setVoice({ phase: 'off' });
    // Even when the start may never have reached the node: a stop of nothing is harmless there.
    this.sendVoice('voice_stop');
  }

  /** Remove a failed message from the transcript (the customer retries it as a new one). */
  discard(key: string): void {
    const index = this.items.findIndex((i) => i.key === key);
    if (index >= 0) this.items.splice(index, 1);
    this.byKey.delete(key);
    this.scheduleSave();
  }

  /** Messages and actions not yet known to have reached the node. */
  get unconfirmed(): readonly Outgoing[] {
    return this.pending;
  }

  private page(): PageContext | undefined {
    return this.opts.page?.();
  }

  private open(): void {
    this.welcomed = false;
    this.setStatus(this.attempts === 0 ? 'connecting' : 'reconnecting');
    const factory = this.opts.transport ?? webSocketTransport;
    // Handlers of a socket already replaced (a late close, a stray frame) must change nothing.
    const mine: { transport?: ChatTransport } = {};
    const current = () => mine.transport !== undefined && mine.transport === this.transport;
    mine.transport = factory(this.opts.url, {
      onOpen: () => {
        if (current()) this.sayHello();
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

  private sayHello(): void {
    const hello: ChatClientMessage = { type: 'hello', page: this.page() };
    if (this.opts.language) hello.language = this.opts.language;
    if (this.opts.customerToken) hello.customerToken = this.opts.customerToken;
    if (this.conversationId && this.resumeToken) {
      hello.conversationId = this.conversationId;
      hello.resumeToken = this.resumeToken;
      hello.lastSeq = Math.max(0, this.lastSeq);
    }
    this.write(hello);
    this.armKeepalive();
  }

  private dropped(): void {
    this.transport = undefined;
    this.welcomed = false;
    clearTimeout(this.keepaliveTimer);
    clearTimeout(this.replayTimer);
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.stopped) return;
    this.setStatus('reconnecting');
    // Exponential with jitter, so a node restart is not met by every customer at the same instant.
    const base = Math.min(this.opts.reconnectMaxMs, this.opts.reconnectMinMs * 2 ** this.attempts);
    const delay = base / 2 + Math.random() * (base / 2);
    this.attempts++;
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }

  private receive(text: string): void {
    let msg: ChatServerMessage;
    try {
      msg = JSON.parse(text) as ChatServerMessage;
    } catch {
      return;
    }
    this.armKeepalive();
    switch (msg.type) {
      case 'welcome':
        return this.welcome(msg);
      case 'error':
        return this.failed(msg);
      case 'pong':
        return;
      // Voice frames are outside the sequence: they must not move lastSeq.
      case 'voice':
        return this.voiceAnswer(msg);
      case 'voice_state':
        return this.voiceStateChanged(msg);
      case 'consult':
        return this.emitConsult(msg);
      default:
        return this.event(msg);
    }
  }

  /** video consultation progress (outside the sequence); the widget's video view listens */
  onConsult?: (msg: Extract<ChatServerMessage, { type: 'consult' }>) => void;
  private emitConsult(msg: Extract<ChatServerMessage, { type: 'consult' }>): void {
    this.onConsult?.(msg);
  }

  private welcome(msg: Extract<ChatServerMessage, { type: 'welcome' }>): void {
    const resumed = msg.conversationId === this.conversationId;
    if (!resumed && this.conversationId) this.restart();
    this.conversationId = msg.conversationId;
    this.resumeToken = msg.resumeToken;
    this.brain = msg.brain;
    this.disclosure = msg.disclosure;
    this.welcomed = true;
    this.attempts = 0;
    this.replayUntil = msg.seq;
    this.setStatus('open');
    this.emit('welcome', {
      conversationId: msg.conversationId,
      brain: msg.brain,
      disclosure: msg.disclosure,
      resumed,
    });
    this.save();
    // A new conversation has nothing to replay; a resumed one sends after its replay, so a
    // message whose echo is in the replay is not sent again.
    if (!resumed || Math.max(0, this.lastSeq) >= this.replayUntil) this.flushPending();
    else {
      // Should the replay come up short, what the customer typed must not wait forever.
      clearTimeout(this.replayTimer);
      this.replayTimer = setTimeout(() => {
        if (this.welcomed && this.replayUntil >= 0) this.flushPending();
      }, 2000);
      (this.replayTimer as { unref?: () => void }).unref?.();
    }
  }

  private voiceAnswer(msg: Extract<ChatServerMessage, { type: 'voice' }>): void {
    this.voiceOutbox = undefined;
    if (msg.status === 'started') {
      // The customer hung up before the answer came: the node's call must end too.
      if (this.voice.phase === 'off') return this.sendVoice('voice_stop');
      // After a reconnect the start is asked again, only so the node watches the agent for
      // this socket; the page stays in the room it is in.
      if (this.voice.phase === 'live' && this.voice.room === msg.room) return;
      const { room, token, identity } = msg;
      return this.setVoice({ phase: 'live', room, token, identity, light: 'listening' });
    }
    if (msg.status === 'unavailable') return this.setVoice({ phase: 'off', unavailable: msg.message });
    if (this.voice.phase !== 'off') this.setVoice({ phase: 'off' });
  }

  private voiceStateChanged(msg: VoiceStateMessage): void {
    if (this.voice.phase !== 'live') return;
    this.voice.light = voiceLight(msg.state);
    this.emit('voiceState', this.voice.light, msg);
  }

  private setVoice(state: VoiceCallState): void {
    this.voice = state;
    this.emit('voice', state);
  }

  /** The action stays in the outbox until the node answers, so a drop before that resends it. */
  private sendVoice(action: 'voice_start' | 'voice_stop'): void {
    this.voiceOutbox = action;
    if (this.welcomed && this.replayUntil < 0)
      this.write({ type: 'action', clientId: newClientId(), action, values: {} });
    else if (this.stopped) this.connect();
  }

  private failed(msg: Extract<ChatServerMessage, { type: 'error' }>): void {
    if (!this.welcomed && RESUME_FAILURES.has(msg.code)) {
      // The node no longer knows this conversation (or not as ours): start a fresh one.
      this.restart();
      this.transport?.close();
      this.transport = undefined;
      this.open();
      return;
    }
    if (msg.clientId) {
      this.pending = this.pending.filter((p) => p.clientId !== msg.clientId);
      const item = this.byKey.get(msg.clientId);
      if (item?.kind === 'message') {
        item.status = 'failed';
        item.error = msg.message;
        this.emit('item', item, false);
      }
      this.scheduleSave();
    }
    this.emit('error', { code: msg.code, message: msg.message, clientId: msg.clientId });
  }

  /**
   * Leave the stored conversation for a new one, keeping what the customer was about to say:
   * their unsent messages go to the new conversation; answers to the old one's cards do not.
   */
  private restart(): void {
    const keep = this.pending.filter((p) => p.type === 'message');
    this.forget(true);
    this.pending = keep;
    for (const p of keep) {
      this.addItem({
        kind: 'message',
        key: p.clientId,
        clientId: p.clientId,
        role: 'customer',
        text: p.text,
        status: 'sending',
        at: Date.now(),
      });
    }
  }

  private event(ev: ChatServerEvent): void {
    // Replays after a resume overlap what this client already has: each seq counts once.
    if (ev.seq <= this.lastSeq) return;
    this.lastSeq = ev.seq;
    this.apply(ev);
    this.scheduleAck();
    this.scheduleSave();
    if (this.welcomed && this.replayUntil >= 0 && ev.seq >= this.replayUntil) {
      this.replayUntil = -1;
      this.flushPending();
    }
  }

  private apply(ev: ChatServerEvent): void {
    switch (ev.type) {
      case 'message_start': {
        // A customer's own message is shown when the node echoes it whole (message_end), where
        // its clientId says which bubble typed here it is.
        if (ev.role === 'customer') return;
        const existing = this.messageItem(ev.messageId);
        if (existing) return;
        const message: ChatMessage = {
          kind: 'message',
          key: ev.messageId,
          messageId: ev.messageId,
          role: ev.role,
          text: '',
          status: 'streaming',
          at: ev.at,
        };
        this.keyOfMessage.set(ev.messageId, message.key);
        this.addItem(message);
        return;
      }
      case 'token': {
        const message = this.messageItem(ev.messageId);
        if (!message || message.status !== 'streaming') return;
        message.text += ev.delta;
        this.emit('item', message, false);
        return;
      }
      case 'message_end': {
        const mine = ev.clientId ? this.byKey.get(ev.clientId) : undefined;
        let message = mine?.kind === 'message' ? mine : this.messageItem(ev.messageId);
        const isNew = !message;
        if (!message) {
          message = {
            kind: 'message',
            key: ev.messageId,
            role: ev.role,
            text: '',
            status: 'done',
            at: ev.at,
          };
        }
        message.messageId = ev.messageId;
        message.role = ev.role;
        // The whole text replaces whatever tokens arrived, so a token lost in a drop heals here.
        message.text = ev.text;
        message.status = 'done';
        message.at = ev.at;
        if (ev.clientId) message.clientId = ev.clientId;
        if (ev.interrupted) message.interrupted = true;
        this.keyOfMessage.set(ev.messageId, message.key);
        if (ev.clientId) this.pending = this.pending.filter((p) => p.clientId !== ev.clientId);
        if (isNew) this.addItem(message);
        else this.emit('item', message, false);
        return;
      }
      case 'card': {
        const item: ChatCard = { kind: 'card', key: `card-${ev.seq}-${++this.cardCount}`, card: ev.card };
        if (ev.messageId) item.messageId = ev.messageId;
        this.addItem(item);
        return;
      }
      case 'state': {
        // an action's echo: the node took it, so it is not resent after a drop
        if (ev.clientId) this.pending = this.pending.filter((p) => p.clientId !== ev.clientId);
        this.state = { language: ev.language, verified: ev.verified, typing: ev.typing ?? false };
        if (ev.handoff) this.state.handoff = ev.handoff;
        this.emit('state', this.state);
        return;
      }
    }
  }

  private messageItem(messageId: string): ChatMessage | undefined {
    const key = this.keyOfMessage.get(messageId);
    const item = key ? this.byKey.get(key) : undefined;
    return item?.kind === 'message' ? item : undefined;
  }

  private addItem(item: TranscriptItem): void {
    this.items.push(item);
    this.byKey.set(item.key, item);
    this.emit('item', item, true);
    this.scheduleSave();
  }

  private queue(message: Outgoing): void {
    this.pending.push(message);
    if (this.pending.length > MAX_PENDING) this.pending.splice(0, this.pending.length - MAX_PENDING);
    this.scheduleSave();
    if (this.stopped) this.connect();
    else if (this.welcomed && this.replayUntil < 0) this.write(message);
  }

  private flushPending(): void {
    clearTimeout(this.replayTimer);
    this.replayUntil = -1;
    for (const message of this.pending) this.write(message);
    // A call still starting, or live when the line dropped, is asked for again: the node then
    // reports the agent's state to this socket. The same room comes back.
    const again = this.voiceOutbox ?? (this.voice.phase === 'live' ? 'voice_start' : undefined);
    if (again) this.sendVoice(again);
  }

  private write(message: ChatClientMessage): void {
    try {
      this.transport?.send(JSON.stringify(message));
    } catch {
      // A socket closing under us: the close handler reconnects and the pending list resends.
    }
  }

  private scheduleAck(): void {
    if (this.ackTimer) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined;
      this.flushAck();
    }, this.opts.ackDelayMs);
  }

  private flushAck(): void {
    if (!this.welcomed || this.lastSeq <= this.ackedSeq) return;
    this.ackedSeq = this.lastSeq;
    this.write({ type: 'ack', seq: this.lastSeq });
  }

  private armKeepalive(): void {
    clearTimeout(this.keepaliveTimer);
    if (this.stopped) return;
    this.keepaliveTimer = setTimeout(() => {
      this.write({ type: 'ping' });
      // Any frame re-arms this timer; silence after a ping means the line is dead.
      this.keepaliveTimer = setTimeout(() => {
        const dead = this.transport;
        this.transport = undefined;
        dead?.close();
        this.dropped();
      }, this.opts.keepaliveMs);
    }, this.opts.keepaliveMs);
    (this.keepaliveTimer as { unref?: () => void }).unref?.();
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.emit('status', status);
  }

  /** Drop the conversation (and, with announce, tell the view to clear itself). */
  private forget(announce: boolean): void {
    this.conversationId = undefined;
    this.resumeToken = undefined;
    this.lastSeq = -1;
    this.ackedSeq = -1;
    this.items.length = 0;
    this.byKey.clear();
    this.keyOfMessage.clear();
    this.state = { language: '', verified: false, typing: false };
    if (announce) {
      this.removeSaved();
      this.emit('reset');
    }
  }

  private scheduleSave(): void {
    if (this.saveTimer || !this.opts.storage) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.save();
    }, 250);
    (this.saveTimer as { unref?: () => void }).unref?.();
  }

  /** Write what a page load needs to pick the conversation up where it is; call on pagehide. */
  save(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    const storage = this.opts.storage;
    if (!storage || !this.conversationId || !this.resumeToken) return;
    const saved: Saved = {
      conversationId: this.conversationId,
      resumeToken: this.resumeToken,
      lastSeq: this.lastSeq,
      items: this.items.slice(-MAX_SAVED_ITEMS),
      pending: this.pending,
      state: this.state,
    };
    if (this.brain && this.disclosure !== undefined) {
      saved.welcome = { brain: this.brain, disclosure: this.disclosure };
    }
    try {
      storage.setItem(this.opts.storageKey, JSON.stringify(saved));
    } catch {
      // Storage full or blocked (private windows): the conversation still works on this page.
    }
  }

  private removeSaved(): void {
    try {
      this.opts.storage?.removeItem(this.opts.storageKey);
    } catch {
      // nothing stored, nothing to remove
    }
  }

  private restore(): void {
    let saved: Saved | undefined;
    try {
      const raw = this.opts.storage?.getItem(this.opts.storageKey);
      saved = raw ? (JSON.parse(raw) as Saved) : undefined;
    } catch {
      saved = undefined;
    }
    if (!saved || typeof saved.conversationId !== 'string' || typeof saved.lastSeq !== 'number') return;
    this.conversationId = saved.conversationId;
    this.resumeToken = saved.resumeToken;
    this.lastSeq = saved.lastSeq;
    this.ackedSeq = saved.lastSeq;
    this.pending = Array.isArray(saved.pending) ? saved.pending : [];
    if (saved.welcome) {
      this.brain = saved.welcome.brain;
      this.disclosure = saved.welcome.disclosure;
    }
    if (saved.state) this.state = { ...saved.state, typing: false };
    for (const item of Array.isArray(saved.items) ? saved.items : []) {
      // A reply cut by the page unloading is finished by the replay or its message_end.
      this.items.push(item);
      this.byKey.set(item.key, item);
      if (item.kind === 'message' && item.messageId) this.keyOfMessage.set(item.messageId, item.key);
    }
    this.cardCount = this.items.length;
  }
}
