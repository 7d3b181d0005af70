import { join } from 'node:path';
import {
  ErrorCode,
  LiveportError,
  TypedEmitter,
  type ChatServerEvent,
  type DeskCallback,
  type DeskClientMessage,
  type DeskColleague,
  type DeskOffer,
  type DeskServerMessage,
  type StaffStatus,
} from '@liveport/protocol';
import {
  detectLanguage,
  type AgentService,
  type HandoffNotice,
  type LiveConversation,
} from '@liveport/agent';
import {
  DEMO_STAFF,
  DeskError,
  DeskRouter,
  DeskStore,
  StaffDirectory,
  seedDemoStaff,
  type Clock,
  type NewStaff,
  type StaffMember,
  type StaffPatch,
  type Translator,
  type WorkItem,
  type WorkKind,
} from '@liveport/desk';
import type { NodeConfig } from '../config.ts';
import { CANNED_REPLIES } from './cannedReplies.ts';
import { conversationContext } from './conversationContext.ts';
import { colleague, deskItem, staffInfo } from './deskItem.ts';

/** One open console of a signed-in member of staff (an agent may have several: laptop and phone). */
export interface DeskConsole {
  readonly staffId: string;
  /** default 'console'; a phone shows video calls only */
  readonly device?: 'console' | 'phone';
  /** the session it said hello with, so that logging that session out closes it */
  readonly sessionToken?: string;
  send(msg: DeskServerMessage): void;
  /** the session ended (logout, password change): the console must log in again */
  end?(reason: string): void;
}

/** Where the booked call backs are kept (VideoConsults sets its book here). */
export interface CallbackBook {
  list(filter?: { from?: number; limit?: number }): DeskCallback[];
}

/** How far back a booked call back is still shown: one a little overdue is still to be made. */
const CALLBACKS_SHOWN_AFTER_MS = 3600_000;

/** What a member of staff reachable only on a phone is offered: the phone shows nothing else. */
const PHONE_KINDS: readonly WorkKind[] = ['video'];

export interface DeskServiceOptions {
  agent: AgentService;
  dataDir: string;
  config: NodeConfig['desk'];
  /** none: consoles show the originals (welcome.translation = false) */
  translator?: Translator;
  clock?: Clock;
}

export interface DeskServiceEvents {
  [event: string]: unknown[];
  /** a video call was accepted: whoever runs consultations opens the room for it */
  video_assigned: [{ item: WorkItem; staff: StaffMember }];
}

export interface DemoLogin {
  email: string;
  name: string;
  role: StaffMember['role'];
  password: string;
}

type Reply = Extract<DeskClientMessage, { type: 'reply' }>;
type Transfer = Extract<DeskClientMessage, { type: 'transfer' }>;

/** One console following one conversation; its frames leave in order even while some are translated. */
interface Watcher {
  agentConsole: DeskConsole;
  conversationId: string;
  /** frames waiting for a translation (or the context) before them */
  pending: number;
  chain: Promise<void>;
  closed: boolean;
}

/** The desk's single subscription to a conversation, shared by every console watching it. */
interface Tap {
  watchers: Set<Watcher>;
  unsubscribe: () => void;
}

const MAX_CACHED_TRANSLATIONS = 10_000;

/**
 * The bridge between conversations and people. It routes every AI handoff to the desk, tells
 * each console what concerns its agent (offers, inbox, queues), streams watched conversations
 * to consoles with translations, and carries the agents' replies and decisions back into the
 * conversations. Replies are persisted before they are acknowledged.
 */
/** how long a queued item must stay unassigned before queue watchers are shown it */
const SHOW_WAITING_AFTER_MS = 300;
/** queue lengths are sent to consoles at most this often */
const QUEUES_EVERY_MS = 250;

export class DeskService extends TypedEmitter<DeskServiceEvents> {
  readonly staff: StaffDirectory;
  readonly router: DeskRouter;
  readonly store: DeskStore;
  readonly translator?: Translator;
  /** who records video consultations (VideoConsults sets itself here): the clerk's consent goes to it */
  recordings?: { clerkConsents(staffId: string, itemId: string): void };
  /** the booked call backs (VideoConsults sets its book here); none: the console shows none */
  callbacks?: CallbackBook;
  /** the demo accounts seeded at this start (empty when seeding is off) */
  demoLogins: DemoLogin[] = [];
  private readonly agent: AgentService;
  private readonly config: NodeConfig['desk'];
  private readonly members = new Map<string, StaffMember>();
  private readonly consoles = new Map<string, Set<DeskConsole>>();
  /**
   * Staff whose open clients are all phones: offered video calls only. Kept while they have
   * none open (the grace before offline), so a phone that drops does not bring chat offers.
   */
  private readonly phoneOnly = new Set<string>();
  private readonly offlineTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** standing offers per agent, for the welcome of a console that connects after they were made */
  private readonly offers = new Map<string, Map<string, DeskOffer>>();
  /** who holds each assigned item, to tell them when it leaves them */
  private readonly holders = new Map<string, string>();
  /** conversations a supervisor took straight from the AI (no work item behind them) */
  private readonly takenOver = new Map<string, string>();
  /** the console an item was accepted on, until the item closes */
  private readonly acceptedOn = new Map<string, DeskConsole>();
  private readonly taps = new Map<string, Tap>();
  private readonly watching = new Map<DeskConsole, Map<string, Watcher>>();
  private readonly translations = new Map<string, Promise<string | undefined>>();
  private readonly replies = new Map<string, Promise<number>>();
  private readonly replyChains = new Map<string, Promise<unknown>>();
  private queuesScheduled = false;
  /** waiting items the queue watchers were shown (only those get a removal later) */
  private readonly shownWaiting = new Set<string>();
  /** queued items to show once they have waited a moment */
  private readonly toShow = new Set<string>();
  private showTimer?: ReturnType<typeof setTimeout>;
  private readonly unsubscribers: (() => void)[] = [];

  private constructor(options: DeskServiceOptions) {
    super();
    this.agent = options.agent;
    this.config = options.config;
    if (options.translator) this.translator = options.translator;
    const file = join(options.dataDir, 'desk.db');
    this.staff = new StaffDirectory(file);
    this.store = new DeskStore(file);
    this.router = new DeskRouter({
      store: this.store,
      offerTimeoutMs: options.config.offerTimeoutMs,
      slaMs: options.config.slaMs,
      ...(options.clock && { clock: options.clock }),
    });
  }

  /** Opens the desk's database, seeds the demo staff when asked, and starts routing handoffs. */
  static async open(options: DeskServiceOptions): Promise<DeskService> {
    const desk = new DeskService(options);
    await desk.start();
    return desk;
  }

  private async start(): Promise<void> {
    if (this.config.seedDemoStaff) {
      const password = this.config.demoPassword;
      await seedDemoStaff(this.staff, { admin: password, supervisor: password, agent: password });
      this.demoLogins = DEMO_STAFF.map((d) => ({ email: d.email, name: d.name, role: d.role, password }));
    }
    // Online means a console is open; after a restart none is yet.
    for (const member of this.staff.list()) {
      const current = member.status === 'offline' ? member : this.staff.setStatus(member.id, 'offline');
      this.remember(current);
    }
    this.listenToRouter();
    this.unsubscribers.push(
      this.agent.onHandoff((notice, conversation) => void this.handoffArrived(notice, conversation)),
    );
  }

  // ---- what the video engineer and the REST edge use ----------------------------------------------

  /** Every open console of this member of staff gets the frame. */
  sendToStaff(staffId: string, msg: DeskServerMessage): void {
    for (const agentConsole of this.consoles.get(staffId) ?? []) agentConsole.send(msg);
  }

  member(staffId: string): StaffMember | undefined {
    return this.members.get(staffId);
  }

  async createStaff(input: NewStaff): Promise<StaffMember> {
    const member = await this.staff.createStaff(input);
    this.remember(member);
    this.colleaguesChanged();
    return member;
  }

  updateStaff(id: string, patch: StaffPatch): StaffMember {
    const member = this.staff.updateStaff(id, patch);
    this.remember(member);
    this.colleaguesChanged();
    return member;
  }

  // ---- consoles ---------------------------------------------------------------------------------

  /** A console said hello with a valid session: its agent is online, and it gets the present state. */
  attach(agentConsole: DeskConsole): Extract<DeskServerMessage, { type: 'welcome' }> {
    const id = agentConsole.staffId;
    clearTimeout(this.offlineTimers.get(id));
    this.offlineTimers.delete(id);
    let member = this.requireMember(id);
    let set = this.consoles.get(id);
    // What they can be reached for is settled first, so going online offers only that.
    this.reach(id, [...(set ?? []), agentConsole]);
    // Online before the console joins: offers this makes arrive in the welcome, not before it.
    if (member.status === 'offline') member = this.setStatus(id, 'online');
    if (!set) this.consoles.set(id, (set = new Set()));
    set.add(agentConsole);
    return this.welcome(member);
  }

  /** A console closed; the agent goes offline when their last one has been gone a while. */
  /**
   * A session ended: its open consoles (or all of a member's, when their password changed) stop
   * now rather than at their next reconnect.
   */
  endSessions(which: { token: string } | { staffId: string }, reason: string): void {
    for (const set of this.consoles.values())
      for (const agentConsole of [...set]) {
        const ends =
          'token' in which
            ? !!which.token && agentConsole.sessionToken === which.token
            : agentConsole.staffId === which.staffId;
        if (ends) agentConsole.end?.(reason);
      }
  }

  detach(agentConsole: DeskConsole): void {
    for (const conversationId of [...(this.watching.get(agentConsole)?.keys() ?? [])])
      this.unwatch(agentConsole, conversationId);
    this.watching.delete(agentConsole);
    const set = this.consoles.get(agentConsole.staffId);
    set?.delete(agentConsole);
    if (set && set.size > 0) return this.reach(agentConsole.staffId, [...set]);
    this.consoles.delete(agentConsole.staffId);
    const timer = setTimeout(() => {
      this.offlineTimers.delete(agentConsole.staffId);
      if (this.consoles.has(agentConsole.staffId) || !this.members.has(agentConsole.staffId)) return;
      this.setStatus(agentConsole.staffId, 'offline');
    }, this.config.offlineGraceMs);
    timer.unref();
    this.offlineTimers.set(agentConsole.staffId, timer);
  }

  setStatus(staffId: string, status: StaffStatus): StaffMember {
    const before = this.members.get(staffId)?.status;
    const member = this.staff.setStatus(staffId, status);
    this.remember(member);
    if (before !== status) this.colleaguesChanged();
    return member;
  }

  /** Settles what a member of staff is offered from the clients they have open. */
  private reach(staffId: string, open: DeskConsole[]): void {
    const phoneOnly = open.length > 0 && open.every((c) => c.device === 'phone');
    if (phoneOnly === this.phoneOnly.has(staffId)) return;
    if (phoneOnly) this.phoneOnly.add(staffId);
    else this.phoneOnly.delete(staffId);
    const member = this.members.get(staffId);
    if (member) this.remember(member);
  }

  /** Call backs go to the staff who make them: those who take video calls, and supervisors. */
  callbackBooked(callback: DeskCallback): void {
    for (const staffId of this.consoles.keys()) {
      const member = this.members.get(staffId);
      if (member && makesCallbacks(member)) this.sendToStaff(staffId, { type: 'callback', callback });
    }
  }

  private colleagues(): DeskColleague[] {
    return [...this.members.values()].map(colleague).sort((a, b) => a.name.localeCompare(b.name));
  }

  private colleaguesChanged(): void {
    if (this.consoles.size === 0) return;
    const msg: DeskServerMessage = { type: 'colleagues', colleagues: this.colleagues() };
    for (const set of this.consoles.values()) for (const agentConsole of set) agentConsole.send(msg);
  }

  private welcome(member: StaffMember): Extract<DeskServerMessage, { type: 'welcome' }> {
    const offers = [...(this.offers.get(member.id)?.values() ?? [])];
    const inbox = new Map<string, WorkItem>();
    for (const item of this.router.assignments(member.id)) inbox.set(item.id, item);
    for (const offer of offers) {
      const item = this.router.item(offer.item.id);
      if (item) inbox.set(item.id, item);
    }
    // only what the watchers were shown, so that its removal reaches this console too
    for (const item of this.router.queue())
      if ((supervises(member) || this.shownWaiting.has(item.id)) && this.seesQueued(member, item))
        inbox.set(item.id, item);
    const callbacks =
      this.callbacks && makesCallbacks(member)
        ? this.callbacks.list({ from: Date.now() - CALLBACKS_SHOWN_AFTER_MS, limit: 50 })
        : undefined;
    return {
      type: 'welcome',
      staff: staffInfo(member),
      inbox: [...inbox.values()].map(deskItem),
      queues: this.queueStats(),
      offers,
      cannedReplies: CANNED_REPLIES.map((r) => ({ ...r })),
      translation: this.translator !== undefined,
      colleagues: this.colleagues().filter((c) => c.id !== member.id),
      ...(callbacks && { callbacks }),
    };
  }

  /**
   * Take an offered item; a supervisor may also take one nobody has yet without an offer of
   * their own, even while it is being offered to a colleague (an escalated item, say). It comes
   * to them through the router, so load and history stay right. `via` is the console that
   * accepted: a video call's invite goes to that one only (see sendForItem).
   */
  accept(staffId: string, itemId: string, via?: DeskConsole): void {
    const item = this.router.item(itemId);
    const offeredToMe = item !== undefined && (this.offers.get(staffId)?.has(item.id) ?? false);
    if (
      item !== undefined &&
      (item.status === 'waiting' || item.status === 'offered') &&
      !offeredToMe &&
      supervises(this.requireMember(staffId))
    ) {
      this.router.transfer(item.id, { toAgentId: staffId }, staffId, 'taken from the queue');
    }
    const id = item?.id ?? itemId;
    // Known before the accept: the router announces it (and the call is set up) inside it.
    if (via) this.acceptedOn.set(id, via);
    try {
      this.router.accept(staffId, id);
    } catch (err) {
      if (via) this.acceptedOn.delete(id);
      throw err;
    }
  }

  /**
   * A frame about one item for the console that accepted it (a clerk who took the call on
   * their phone gets it there, not also on the laptop, where joining would push the phone out
   * of the room); every console of theirs when that one is gone or unknown.
   */
  sendForItem(staffId: string, itemId: string, msg: DeskServerMessage): void {
    const via = this.acceptedOn.get(itemId);
    if (via && via.staffId === staffId && this.consoles.get(staffId)?.has(via)) via.send(msg);
    else this.sendToStaff(staffId, msg);
  }

  decline(staffId: string, itemId: string): void {
    this.router.decline(staffId, itemId);
  }

  // ---- watching a conversation ------------------------------------------------------------------

  /**
   * The console follows a conversation: the context first, then every event after `lastSeq`,
   * then live ones, each exactly once and in order (replay and subscription happen together).
   */
  watch(agentConsole: DeskConsole, conversationId: string, lastSeq = 0): void {
    const member = this.requireMember(agentConsole.staffId);
    if (!this.mayWatch(member, conversationId)) {
      throw new DeskError('FORBIDDEN', `conversation ${conversationId} is not yours to watch`);
    }
    const conversation = this.requireConversation(conversationId);
    this.unwatch(agentConsole, conversationId);
    const watcher: Watcher = {
      agentConsole,
      conversationId,
      pending: 0,
      chain: Promise.resolve(),
      closed: false,
    };
    let mine = this.watching.get(agentConsole);
    if (!mine) this.watching.set(agentConsole, (mine = new Map()));
    mine.set(conversationId, watcher);
    // Replay and subscription in one synchronous step, so no event falls between the two.
    const replay = conversation.replayAfter(lastSeq);
    let tap = this.taps.get(conversationId);
    if (!tap) {
      const watchers = new Set<Watcher>();
      tap = {
        watchers,
        unsubscribe: conversation.subscribe((event) => {
          for (const w of watchers) this.deliver(w, event);
        }),
      };
      this.taps.set(conversationId, tap);
    }
    tap.watchers.add(watcher);
    this.push(watcher, () => this.contextFrame(conversationId));
    for (const event of replay) this.deliver(watcher, event);
  }

  unwatch(agentConsole: DeskConsole, conversationId: string): void {
    const watcher = this.watching.get(agentConsole)?.get(conversationId);
    if (!watcher) return;
    watcher.closed = true;
    this.watching.get(agentConsole)!.delete(conversationId);
    const tap = this.taps.get(conversationId);
    if (!tap) return;
    tap.watchers.delete(watcher);
    if (tap.watchers.size === 0) {
      this.taps.delete(conversationId);
      tap.unsubscribe();
    }
  }

  private async contextFrame(conversationId: string): Promise<DeskServerMessage> {
    const record = this.requireConversation(conversationId).record;
    const item = this.router.item(conversationId);
    const context = await conversationContext(record, item, {
      store: this.agent.store,
      conversations: this.agent.conversations,
    });
    return { type: 'context', context };
  }

  private deliver(watcher: Watcher, event: ChatServerEvent): void {
    const conversationId = watcher.conversationId;
    const frame: DeskServerMessage = { type: 'conversation', conversationId, event };
    const target = this.translationTarget(watcher.agentConsole.staffId, conversationId, event);
    if (!target) return this.push(watcher, () => frame);
    this.push(watcher, async () => {
      const text = await this.translated(event as Extract<ChatServerEvent, { type: 'message_end' }>, target);
      return text === undefined ? frame : { ...frame, translation: { language: target, text } };
    });
  }

  /** The agent's language when this event is a customer's message they may not read, else undefined. */
  private translationTarget(
    staffId: string,
    conversationId: string,
    event: ChatServerEvent,
  ): string | undefined {
    if (!this.translator || event.type !== 'message_end' || event.role !== 'customer') return undefined;
    const member = this.members.get(staffId);
    const own = member?.languages[0];
    if (!member || !own) return undefined;
    const hint = this.agent.conversation(conversationId)?.record.language;
    const language = detectLanguage(event.text, hint);
    return member.languages.includes(language) ? undefined : own;
  }

  /** One translation per message and language, however many consoles show it. */
  private translated(
    event: Extract<ChatServerEvent, { type: 'message_end' }>,
    language: string,
  ): Promise<string | undefined> {
    const key = `${event.messageId}:${language}`;
    let pending = this.translations.get(key);
    if (!pending) {
      pending = this.translator!.translate(event.text, language).catch((err: unknown) => {
        console.error(`desk: translation into ${language} failed: ${(err as Error).message}`);
        this.translations.delete(key);
        return undefined;
      });
      this.translations.set(key, pending);
      if (this.translations.size > MAX_CACHED_TRANSLATIONS) {
        this.translations.delete(this.translations.keys().next().value!);
      }
    }
    return pending;
  }

  /**
   * Frames to one watcher leave in the order they were pushed. The common case (nothing ahead
   * of it, nothing to translate) is sent at once; the rest wait their turn on the chain.
   */
  private push(watcher: Watcher, make: () => DeskServerMessage | Promise<DeskServerMessage>): void {
    const send = (msg: DeskServerMessage) => {
      if (!watcher.closed) watcher.agentConsole.send(msg);
    };
    if (watcher.pending === 0) {
      const now = make();
      if (!(now instanceof Promise)) return send(now);
      watcher.pending++;
      watcher.chain = now.then(send, logFrameFailure).finally(() => watcher.pending--);
      return;
    }
    watcher.pending++;
    watcher.chain = watcher.chain
      .then(async () => send(await make()))
      .catch(logFrameFailure)
      .finally(() => watcher.pending--);
  }

  // ---- the agent's replies and decisions ----------------------------------------------------------

  /**
   * Sends the agent's reply: translated into the customer's language unless verbatim (the
   * original kept beside it), persisted, and only then acknowledged with its seq. A reply resent
   * with the same clientId is acknowledged again, never sent twice; replies of one conversation
   * go out in the order they came in, whatever their translations take.
   */
  async reply(agentConsole: DeskConsole, msg: Reply): Promise<void> {
    const member = this.requireMember(agentConsole.staffId);
    if (!this.mayAnswer(member, msg.conversationId)) {
      throw new DeskError('FORBIDDEN', `conversation ${msg.conversationId} is not yours to answer`);
    }
    const key = `${msg.conversationId}:${msg.clientId}`;
    let sending = this.replies.get(key);
    if (!sending) {
      const previous = this.replyChains.get(msg.conversationId) ?? Promise.resolve();
      sending = previous.catch(() => undefined).then(() => this.sendReply(member, msg));
      this.replies.set(key, sending);
      this.replyChains.set(msg.conversationId, sending);
      void sending
        .catch(() => undefined)
        .finally(() => {
          this.replies.delete(key);
          if (this.replyChains.get(msg.conversationId) === sending)
            this.replyChains.delete(msg.conversationId);
        });
    }
    const seq = await sending;
    agentConsole.send({ type: 'sent', conversationId: msg.conversationId, clientId: msg.clientId, seq });
  }

  private async sendReply(member: StaffMember, msg: Reply): Promise<number> {
    const before = this.requireConversation(msg.conversationId);
    const taken = before.findAgentMessage(msg.clientId);
    if (taken !== undefined) return taken;
    const customerLanguage = before.record.language;
    const own = member.languages[0];
    let text = msg.text;
    let original: { text: string; language: string } | undefined;
    if (!msg.verbatim && this.translator && own && !member.languages.includes(customerLanguage)) {
      try {
        text = await this.translator.translate(msg.text, customerLanguage, own);
      } catch (err) {
        throw new LiveportError(
          ErrorCode.AGENT_UNAVAILABLE,
          `the reply could not be translated (${(err as Error).message}); send it verbatim or try again`,
        );
      }
      original = { text: msg.text, language: own };
    }
    // Looked up again: the conversation may have left memory while the translation ran.
    const conversation = this.requireConversation(msg.conversationId);
    const event = conversation.agentMessage(
      { id: member.id, name: member.name },
      text,
      msg.clientId,
      original,
    );
    return event.seq;
  }

  transfer(staffId: string, msg: Transfer): void {
    const target =
      'agentId' in msg.to
        ? { toAgentId: msg.to.agentId }
        : { toQueue: { skill: msg.to.queue.skill, language: msg.to.queue.language } };
    this.router.transfer(msg.conversationId, target, staffId, msg.note);
  }

  /**
   * The person answers from here. An agent takes over what they hold; a supervisor may take any
   * conversation: one waiting or with a colleague comes to them through the router, one still
   * with the AI is simply theirs.
   */
  takeover(staffId: string, conversationId: string): void {
    const member = this.requireMember(staffId);
    const conversation = this.requireConversation(conversationId);
    const item = this.openItem(conversationId);
    if (item && !(item.status === 'assigned' && item.assignee === staffId)) {
      if (!supervises(member))
        throw new DeskError('FORBIDDEN', `conversation ${conversationId} is not yours`);
      this.router.transfer(conversationId, { toAgentId: staffId }, staffId, 'taken over');
      this.router.accept(staffId, item.id);
    } else if (!item) {
      if (!supervises(member)) {
        throw new DeskError('FORBIDDEN', 'only a supervisor takes a conversation straight from the AI');
      }
      this.takenOver.set(conversationId, staffId);
    }
    conversation.takeOver({ id: member.id, name: member.name });
  }

  /** The AI carries on; the agent's slot is free again. */
  handback(staffId: string, conversationId: string): void {
    const member = this.requireMember(staffId);
    if (!this.mayAnswer(member, conversationId)) {
      throw new DeskError('FORBIDDEN', `conversation ${conversationId} is not yours to hand back`);
    }
    const conversation = this.requireConversation(conversationId);
    this.takenOver.delete(conversationId);
    if (this.openItem(conversationId)) this.router.close(conversationId);
    conversation.handBack();
  }

  /** Ends the conversation: the customer gets a closing line and the survey. */
  close(staffId: string, conversationId: string): void {
    const member = this.requireMember(staffId);
    if (!this.mayAnswer(member, conversationId)) {
      throw new DeskError('FORBIDDEN', `conversation ${conversationId} is not yours to close`);
    }
    const conversation = this.requireConversation(conversationId);
    this.takenOver.delete(conversationId);
    if (this.openItem(conversationId)) this.router.close(conversationId);
    conversation.closeByAgent();
  }

  // ---- handoffs in, router events out -------------------------------------------------------------

  private async handoffArrived(notice: HandoffNotice, conversation: LiveConversation): Promise<void> {
    try {
      const open = this.openItem(notice.conversationId);
      if (open?.status === 'assigned' && open.assignee) {
        // Handed back to the AI earlier and handed off again: it is still with the same person.
        const holder = this.members.get(open.assignee);
        if (holder) conversation.assign(holder.name);
        this.sendToStaff(open.assignee, { type: 'inbox', item: deskItem(open) });
        return;
      }
      const customer = notice.customerId
        ? await this.agent.store.getCustomer(notice.customerId).catch(() => undefined)
        : undefined;
      this.router.submit({
        conversationId: notice.conversationId,
        kind: 'handoff',
        skill: notice.skill,
        language: notice.language,
        summary: notice.summary,
        ...(customer && { customer: { name: customer.name, email: customer.email } }),
        context: {
          handoffId: notice.handoffId,
          reason: notice.reason,
          ...(notice.customerId && { customerId: notice.customerId }),
          ...(notice.page?.product && { product: notice.page.product }),
          ...(notice.page && { page: notice.page }),
        },
      });
    } catch (err) {
      console.error(`desk: the handoff of ${notice.conversationId} could not be routed:`, err);
    }
  }

  private listenToRouter(): void {
    const r = this.router;
    this.unsubscribers.push(
      r.on('offer', ({ item, agentId, expiresAt }) => {
        const offer: DeskOffer = { item: deskItem(item), expiresAt };
        let mine = this.offers.get(agentId);
        if (!mine) this.offers.set(agentId, (mine = new Map()));
        mine.set(item.id, offer);
        this.sendToStaff(agentId, { type: 'offer', offer });
      }),
      r.on('offer_withdrawn', ({ itemId, agentId, reason }) => {
        this.offers.get(agentId)?.delete(itemId);
        this.sendToStaff(agentId, { type: 'offer_withdrawn', itemId, reason });
      }),
      r.on('assigned', ({ item, agentId }) => {
        this.offers.get(agentId)?.delete(item.id);
        this.holders.set(item.id, agentId);
        this.sendToStaff(agentId, { type: 'inbox', item: deskItem(item) });
        this.unshowWaiting(item, 'assigned', agentId);
        this.queuesChanged();
        const member = this.members.get(agentId);
        if (!member) return;
        if (item.kind === 'video') return this.emit('video_assigned', { item, staff: member });
        this.agent.conversation(item.conversationId)?.assign(member.name);
      }),
      r.on('queued', ({ item }) => {
        // supervisors oversee every queue and see each item at once; agents only what waits
        this.toQueueWatchers(item, { type: 'inbox', item: deskItem(item) }, undefined, 'supervisors');
        this.showWaitingSoon(item.id);
        this.queuesChanged();
      }),
      r.on('escalated', ({ item }) => {
        this.toQueueWatchers(item, { type: 'inbox', item: deskItem(item) });
        this.shownWaiting.add(item.id);
        this.queuesChanged();
      }),
      r.on('transferred', ({ item, from, to }) => {
        this.leftHolder(item, 'transferred');
        // Moved to a queue they do not serve: agents who saw it waiting let it go.
        const target = 'toAgentId' in to ? to.toAgentId : undefined;
        if (!this.shownWaiting.has(item.id)) return;
        for (const staffId of this.consoles.keys()) {
          const member = this.members.get(staffId);
          if (!member || staffId === from || staffId === target || this.seesQueued(member, item)) continue;
          this.sendToStaff(staffId, {
            type: 'inbox_removed',
            itemId: item.id,
            conversationId: item.conversationId,
            reason: 'transferred',
          });
        }
      }),
      r.on('closed', ({ item }) => {
        this.acceptedOn.delete(item.id);
        this.leftHolder(item, 'closed');
        this.unshowWaiting(item, 'closed');
        this.queuesChanged();
      }),
    );
  }

  private leftHolder(item: WorkItem, reason: string): void {
    const holder = this.holders.get(item.id);
    if (holder === undefined) return;
    this.holders.delete(item.id);
    this.sendToStaff(holder, {
      type: 'inbox_removed',
      itemId: item.id,
      conversationId: item.conversationId,
      reason,
    });
    // Passed on to someone else: what the customer says next is no longer for the old holder.
    const member = this.members.get(holder);
    if (reason !== 'transferred' || !member || this.mayWatch(member, item.conversationId)) return;
    for (const agentConsole of this.consoles.get(holder) ?? [])
      this.unwatch(agentConsole, item.conversationId);
  }

  /**
   * A queued item is shown to its queue's watchers only if it is still unassigned a moment
   * later: most are taken at once, and telling every agent of each (then of its removal) would
   * cost two frames per agent per handoff for nothing anyone needs to see.
   */
  private showWaitingSoon(itemId: string): void {
    this.toShow.add(itemId);
    this.showTimer ??= setTimeout(() => {
      this.showTimer = undefined;
      for (const id of this.toShow) {
        const item = this.router.item(id);
        if (!item || item.status === 'assigned' || item.status === 'closed') continue;
        this.toQueueWatchers(item, { type: 'inbox', item: deskItem(item) }, undefined, 'agents');
        this.shownWaiting.add(id);
      }
      this.toShow.clear();
    }, SHOW_WAITING_AFTER_MS);
    this.showTimer.unref?.();
  }

  private unshowWaiting(item: WorkItem, reason: string, except?: string): void {
    this.toShow.delete(item.id);
    const shown = this.shownWaiting.delete(item.id);
    this.toQueueWatchers(
      item,
      { type: 'inbox_removed', itemId: item.id, conversationId: item.conversationId, reason },
      except,
      shown ? 'all' : 'supervisors',
    );
  }

  /** Supervisors, and the agents who could serve the item's queue, see it while it waits. */
  private toQueueWatchers(
    item: WorkItem,
    msg: DeskServerMessage,
    except?: string,
    who: 'all' | 'supervisors' | 'agents' = 'all',
  ): void {
    for (const staffId of this.consoles.keys()) {
      const member = this.members.get(staffId);
      if (!member || staffId === except) continue;
      if (who !== 'all' && supervises(member) !== (who === 'supervisors')) continue;
      if (!this.seesQueued(member, item)) continue;
      this.sendToStaff(staffId, msg);
    }
  }

  /**
   * Queue lengths go to every console at most a few times a second: they are read at a glance,
   * and at a busy hour every handoff changes them.
   */
  private queuesChanged(): void {
    if (this.queuesScheduled) return;
    this.queuesScheduled = true;
    setTimeout(() => {
      this.queuesScheduled = false;
      const msg: DeskServerMessage = { type: 'queues', queues: this.queueStats() };
      for (const set of this.consoles.values()) for (const agentConsole of set) agentConsole.send(msg);
    }, QUEUES_EVERY_MS).unref();
  }

  private queueStats(): { name: string; waiting: number; oldestWaitMs: number }[] {
    return this.router
      .stats()
      .queues.map((q) => ({ name: q.queue, waiting: q.waiting, oldestWaitMs: q.oldestWaitMs }));
  }

  // ---- who may do what --------------------------------------------------------------------------

  private mayAnswer(member: StaffMember, conversationId: string): boolean {
    if (supervises(member)) return true;
    if (this.takenOver.get(conversationId) === member.id) return true;
    const item = this.openItem(conversationId);
    return item?.status === 'assigned' && item.assignee === member.id;
  }

  private mayWatch(member: StaffMember, conversationId: string): boolean {
    if (this.mayAnswer(member, conversationId)) return true;
    const item = this.openItem(conversationId);
    return item !== undefined && (this.offers.get(member.id)?.has(item.id) ?? false);
  }

  /**
   * Who sees a waiting item in their inbox: supervisors see every queue; an agent sees the queues
   * they could serve (read only: they take it when it is offered to them). Weighed on the
   * router's view of them, whose skills and languages are normalized as the items' are.
   */
  private seesQueued(member: StaffMember, item: WorkItem): boolean {
    if (supervises(member)) return true;
    const agent = this.router.agent(member.id);
    const skill = item.kind === 'video' ? 'video' : item.skill;
    return agent !== undefined && agent.skills.includes(skill) && agent.languages.includes(item.language);
  }

  private openItem(conversationId: string): WorkItem | undefined {
    const item = this.router.item(conversationId);
    return item && item.status !== 'closed' ? item : undefined;
  }

  private requireConversation(id: string): LiveConversation {
    const conversation = this.agent.conversation(id);
    if (!conversation) throw new LiveportError(ErrorCode.CONVERSATION_NOT_FOUND, `no conversation ${id}`);
    return conversation;
  }

  private requireMember(id: string): StaffMember {
    const member = this.members.get(id);
    if (!member) throw new DeskError('NOT_FOUND', `no member of staff ${id}`);
    return member;
  }

  /** Keeps the router's view of a member in step with the directory's. */
  private remember(member: StaffMember): void {
    this.members.set(member.id, member);
    this.router.upsertAgent(this.phoneOnly.has(member.id) ? { ...member, kinds: PHONE_KINDS } : member);
  }

  /** Stops routing and closes the desk's database (the node is stopping). */
  dispose(): void {
    for (const off of this.unsubscribers.splice(0)) off();
    for (const timer of this.offlineTimers.values()) clearTimeout(timer);
    clearTimeout(this.showTimer);
    for (const tap of this.taps.values()) tap.unsubscribe();
    this.taps.clear();
    this.router.dispose();
    this.staff.close();
    this.store.close();
  }
}

function supervises(member: StaffMember): boolean {
  return member.role !== 'agent';
}

function makesCallbacks(member: StaffMember): boolean {
  return supervises(member) || member.skills.includes('video');
}

function logFrameFailure(err: unknown): void {
  console.error('desk: a frame for a console failed:', err);
}
