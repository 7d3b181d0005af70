import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { ErrorCode, LiveportError, type BrainInfo, type PageContext } from '@liveport/protocol';
import type { StoreAdapter, StorePolicy } from '@liveport/commerce';
import type { LlmProvider } from './providers/llm/types.ts';
import { toolSpec, type Tool } from './tools/Tool.ts';
import type { ToolSpec } from './providers/llm/types.ts';
import { commerceTools } from './tools/commerceTools.ts';
import type { ConversationRecord, ConversationStore, HandoffRecord } from './conversation/types.ts';
import { LiveConversation } from './conversation/LiveConversation.ts';
import { HandoffQueue } from './HandoffQueue.ts';
import { FallbackGuide } from './FallbackGuide.ts';
import { RateLimiter } from './RateLimiter.ts';
import { verifyCustomerSession } from './customerSession.ts';
import { PHRASE_LANGUAGES, phrases } from './phrases.ts';
import type { SttProvider } from './providers/stt/types.ts';
import type { TtsProvider } from './providers/tts/types.ts';
import { VoiceAgent } from './voice/VoiceAgent.ts';
import type { VoiceTurnTaking } from './voice/VoiceSession.ts';
import type { Room } from '@liveport/media';

export interface AgentServiceOptions {
  store: StoreAdapter;
  conversations: ConversationStore;
  /** the brain; none means fallback mode */
  provider?: LlmProvider;
  storeName?: string;
  /** shared with the storefront to sign signed-in customers' sessions */
  customerSessionSecret?: string;
  tools?: Tool[];
  maxToolRounds?: number;
  now?: () => Date;
  /** messages per conversation: burst and refill per second */
  rateLimit?: { burst: number; perSecond: number };
  /** speech in and out for voice sessions; without them voice is unavailable (text still works) */
  stt?: SttProvider;
  tts?: TtsProvider;
  /** voice turn-taking (see VoiceSessionOptions) */
  voice?: VoiceTurnTaking;
  /** messages per sender address, across its conversations (many customers may share one NAT) */
  senderRateLimit?: { burst: number; perSecond: number };
}

export interface HelloRequest {
  conversationId?: string;
  resumeToken?: string;
  lastSeq?: number;
  language?: string;
  customerToken?: string;
  page?: PageContext;
}

/** A conversation entered the queue to people: what the desk needs to route it and brief them. */
export interface HandoffNotice {
  conversationId: string;
  handoffId: string;
  skill: string;
  language: string;
  reason: string;
  summary: string;
  /** the customer, when they proved who they are */
  customerId?: string;
  page?: PageContext;
}
export type HandoffListener = (notice: HandoffNotice, conversation: LiveConversation) => void;

const FALLBACK_BRAIN: BrainInfo = { kind: 'fallback', model: 'guided steps', limited: true };

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The customer-service agent of one node: opens and resumes conversations, holds the live
 * ones, and gives them the store, the brain, the tools and the queue to people.
 */
export class AgentService {
  readonly store: StoreAdapter;
  readonly conversations: ConversationStore;
  readonly provider?: LlmProvider;
  readonly storeName: string;
  readonly tools: Tool[];
  /** the tools as the model sees them, built once: JSON Schema generation is not free */
  readonly toolSpecs: ToolSpec[];
  readonly maxToolRounds: number;
  readonly handoffs: HandoffQueue;
  readonly guide = new FallbackGuide();
  readonly now: () => Date;
  private readonly live = new Map<string, LiveConversation>();
  /** voice agents by room name */
  readonly voices = new Map<string, VoiceAgent>();
  private readonly limiter: RateLimiter;
  private readonly senderLimiter: RateLimiter;
  private cachedPolicy?: StorePolicy;
  private readonly handoffListeners = new Set<HandoffListener>();

  constructor(private readonly options: AgentServiceOptions) {
    this.store = options.store;
    this.conversations = options.conversations;
    this.provider = options.provider;
    this.storeName = options.storeName ?? 'our store';
    this.tools = options.tools ?? commerceTools;
    this.toolSpecs = this.tools.map(toolSpec);
    this.maxToolRounds = options.maxToolRounds ?? 6;
    this.now = options.now ?? (() => new Date());
    this.handoffs = new HandoffQueue(options.conversations);
    const rate = options.rateLimit ?? { burst: 8, perSecond: 0.5 };
    this.limiter = new RateLimiter(rate.burst, rate.perSecond);
    const perSender = options.senderRateLimit ?? { burst: 60, perSecond: 5 };
    this.senderLimiter = new RateLimiter(perSender.burst, perSender.perSecond);
  }

  get limited(): boolean {
    return !this.provider || this.provider.limited;
  }

  brain(): BrainInfo {
    const p = this.provider;
    return p ? { kind: p.kind, model: p.model, limited: p.limited } : FALLBACK_BRAIN;
  }

  async policy(): Promise<StorePolicy> {
    this.cachedPolicy ??= await this.store.policy();
    return this.cachedPolicy;
  }

  /** The policy for synchronous callers; loaded by `start()` */
  policyNow(): StorePolicy {
    if (!this.cachedPolicy) throw new Error('AgentService.start() was not awaited');
    return this.cachedPolicy;
  }

  async start(): Promise<void> {
    await this.policy();
  }

  /** Open a new conversation or resume one; throws LiveportError for a bad resume. */
  hello(request: HelloRequest): { conversation: LiveConversation; resumeToken: string; created: boolean } {
    if (request.conversationId) {
      const conversation = this.resume(request.conversationId, request.resumeToken ?? '');
      if (request.lastSeq !== undefined) conversation.catchUp(request.lastSeq);
      if (request.page) conversation.record.page = request.page;
      return { conversation, resumeToken: request.resumeToken!, created: false };
    }
    const resumeToken = randomBytes(24).toString('base64url');
    const language = normalizeLanguage(request.language);
    const record: ConversationRecord = {
      id: randomUUID(),
      createdAt: Date.now(),
      updatedAt: Date.now(),
      status: 'open',
      language,
      resumeTokenHash: hashToken(resumeToken),
      page: request.page,
      lastSeq: 0,
      state: { verifiedOrderIds: [] },
    };
    const secret = this.options.customerSessionSecret;
    if (request.customerToken) {
      const customerId = secret ? verifyCustomerSession(request.customerToken, secret) : undefined;
      if (!customerId) throw new LiveportError(ErrorCode.TOKEN_INVALID, 'customer session is not valid');
      record.customerId = customerId;
      record.verifiedBy = 'storefront_session';
    }
    this.conversations.create(record);
    const conversation = new LiveConversation(record, this);
    this.live.set(record.id, conversation);
    conversation.open();
    return { conversation, resumeToken, created: true };
  }

  private resume(id: string, token: string): LiveConversation {
    const live = this.live.get(id);
    const record = live?.record ?? this.conversations.get(id);
    if (!record) throw new LiveportError(ErrorCode.CONVERSATION_NOT_FOUND, `no conversation ${id}`);
    const given = Buffer.from(hashToken(token), 'hex');
    const expected = Buffer.from(record.resumeTokenHash, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new LiveportError(ErrorCode.RESUME_DENIED, 'resume token does not match this conversation');
    }
    if (live) return live;
    record.lastSeq = Math.max(record.lastSeq, this.conversations.lastSeq(id));
    const conversation = new LiveConversation(record, this);
    this.live.set(id, conversation);
    return conversation;
  }

  /** Listen for conversations entering the queue to people (the desk routes them); returns the unsubscribe. */
  onHandoff(listener: HandoffListener): () => void {
    this.handoffListeners.add(listener);
    return () => this.handoffListeners.delete(listener);
  }

  /** Called by a conversation as it enters the queue. */
  handoffEntered(conversation: LiveConversation, handoff: HandoffRecord): void {
    const r = conversation.record;
    const notice: HandoffNotice = {
      conversationId: r.id,
      handoffId: handoff.id,
      skill: handoff.skill,
      language: handoff.language,
      reason: handoff.reason,
      summary: handoff.summary,
      ...(r.customerId && { customerId: r.customerId }),
      ...(r.page && { page: r.page }),
    };
    for (const listener of this.handoffListeners) {
      try {
        listener(notice, conversation);
      } catch (err) {
        console.error('handoff listener failed:', err);
      }
    }
  }

  /**
   * A conversation by id for the store's own staff (no resume token: the desk authenticates
   * its people itself), loaded from the store when nobody has it open. Undefined when unknown.
   */
  conversation(id: string): LiveConversation | undefined {
    const live = this.live.get(id);
    if (live) return live;
    const record = this.conversations.get(id);
    if (!record) return undefined;
    record.lastSeq = Math.max(record.lastSeq, this.conversations.lastSeq(id));
    const conversation = new LiveConversation(record, this);
    this.live.set(id, conversation);
    // nobody may subscribe: let it go again unless someone does
    this.idle(conversation);
    return conversation;
  }

  /** One message or action allowed for this conversation (and this sender) now? */
  allow(conversationId: string, sender: string): boolean {
    return this.limiter.take(conversationId) && this.senderLimiter.take(sender);
  }

  /** The last socket left: keep nothing in memory but what a quick reconnect needs. */
  idle(conversation: LiveConversation): void {
    setTimeout(() => {
      if (conversation.connected > 0 || this.live.get(conversation.id) !== conversation) return;
      // a reply still being written finishes first; it is persisted for the customer's return
      if (conversation.busy) return this.idle(conversation);
      this.live.delete(conversation.id);
      conversation.close();
    }, 60_000).unref();
  }

  /** Speech engines found after start (installed in the background, say). */
  setSpeech(providers: { stt?: SttProvider; tts?: TtsProvider }): void {
    if (providers.stt) this.options.stt = providers.stt;
    if (providers.tts) this.options.tts = providers.tts;
  }

  /** Why voice cannot start here, or undefined when it can. */
  get voiceUnavailable(): string | undefined {
    if (!this.options.stt)
      return 'no speech recognition (install Debian pocketsphinx and pocketsphinx-en-us, or configure an STT endpoint)';
    if (!this.options.tts)
      return 'no speech synthesis (install Debian espeak-ng, or configure a TTS endpoint)';
    return undefined;
  }

  /**
   * Put the agent into a room with a voice: it hears the room's first microphone and answers
   * in the given conversation (a new one when none is given). One agent per room.
   */
  startVoice(room: Room, conversation?: LiveConversation, language?: string): VoiceAgent {
    const missing = this.voiceUnavailable;
    if (missing) throw new LiveportError(ErrorCode.AGENT_UNAVAILABLE, `voice is unavailable: ${missing}`);
    const existing = this.voices.get(room.name);
    if (existing) return existing;
    const target = conversation ?? this.hello({ language }).conversation;
    // The voice session listens to the conversation; keep it in memory while the room lives.
    const agent: VoiceAgent = new VoiceAgent({
      room,
      conversation: target,
      stt: this.options.stt!,
      tts: this.options.tts!,
      ...this.options.voice,
      onClose: () => {
        if (this.voices.get(room.name) === agent) this.voices.delete(room.name);
      },
    });
    this.voices.set(room.name, agent);
    return agent;
  }

  stopVoice(roomName: string): boolean {
    const agent = this.voices.get(roomName);
    if (!agent) return false;
    this.voices.delete(roomName);
    agent.close();
    return true;
  }

  get liveCount(): number {
    return this.live.size;
  }

  disclosure(language: string): string {
    return phrases(language).disclosure;
  }

  close(): void {
    for (const v of this.voices.values()) v.close();
    this.voices.clear();
    for (const c of this.live.values()) c.close();
    this.live.clear();
  }
}

function normalizeLanguage(tag: string | undefined): string {
  const primary = (tag ?? 'en').toLowerCase().split(/[-_]/)[0] ?? 'en';
  return /^[a-z]{2,3}$/.test(primary) ? primary : PHRASE_LANGUAGES[0];
}
