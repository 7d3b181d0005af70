import { randomUUID } from 'node:crypto';
import { TypedEmitter } from '@liveport/protocol';
import { systemClock, type Clock, type TimerHandle } from './Clock.ts';
import { DeskError } from './DeskError.ts';
import type { DeskStore } from './DeskStore.ts';
import type {
  Agent,
  AgentInput,
  AgentRole,
  AgentStatus,
  AssignmentStep,
  DeskRouterEvents,
  DeskRouterOptions,
  DeskStats,
  NewWorkItem,
  OfferWithdrawnReason,
  QueuedWorkItem,
  QueueStats,
  TransferTarget,
  WorkItem,
  WorkKind,
} from './DeskRouterTypes.ts';
import { primaryLanguage, primaryLanguages } from './language.ts';
import { bestFirst, canBeOffered, takesKind, type Candidate } from './offerRules.ts';
import { queueName } from './queueName.ts';
import { normalizeSkill, normalizeSkills } from './skill.ts';

const KINDS: readonly WorkKind[] = ['handoff', 'chat', 'video'];
const ROLES: readonly AgentRole[] = ['agent', 'supervisor', 'admin'];
const STATUSES: readonly AgentStatus[] = ['online', 'away', 'offline'];

interface Offer {
  expiresAt: number;
  timer: TimerHandle;
}

/** An item being routed, with what only the router needs to know about it. */
interface Entry {
  item: WorkItem;
  /** arrival order among items created in the same millisecond */
  seq: number;
  offers: Map<string, Offer>;
  /**
   * Agents who declined it or let an offer lapse in this round. They are skipped until every
   * eligible agent has had a turn; then a new round starts, so no item is ever stuck.
   */
  tried: Set<string>;
  /** while a transfer offers it to one named agent, the queue does not offer it to anyone else */
  transferTo?: string;
  slaTimer?: TimerHandle;
}

interface AgentState {
  id: string;
  role: AgentRole;
  skills: string[];
  languages: string[];
  maxConcurrent: number;
  status: AgentStatus;
  kinds?: WorkKind[];
  idleSince: number;
}

/**
 * The desk's routing engine: it puts each waiting customer in front of the right person.
 * Chats and handoffs are offered to one best agent at a time; video calls ring every suitable
 * agent at once. Offers that go unanswered move on; items that wait too long bring in the
 * supervisors. Every change is written to the store before it is announced.
 *
 * Events are announced after the change that caused them is complete, so a listener may call
 * back into the router (accept an offer) and find it in a consistent state.
 */
export class DeskRouter extends TypedEmitter<DeskRouterEvents> {
  readonly offerTimeoutMs: number;
  readonly slaMs: number;
  private readonly store: DeskStore;
  private readonly clock: Clock;
  private readonly entries = new Map<string, Entry>();
  private readonly byConversation = new Map<string, Entry>();
  private readonly agentStates = new Map<string, AgentState>();
  // Kept by agent id rather than on AgentState: after a restart, assignments are restored before
  // the agents who hold them have been told to the router again.
  private readonly assignedTo = new Map<string, Set<string>>();
  private readonly offeredTo = new Map<string, Set<string>>();
  private nextSeq = 0;
  private readonly outbox: (() => void)[] = [];
  private flushing = false;

  constructor(options: DeskRouterOptions) {
    super();
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.offerTimeoutMs = positive(options.offerTimeoutMs ?? 20_000, 'offerTimeoutMs');
    this.slaMs = positive(options.slaMs ?? 120_000, 'slaMs');
    this.restore();
  }

  /**
   * Puts an item in its queue and offers it if someone can take it. Submitting a conversation
   * that already has an open item returns that item: a retried request does not queue twice.
   */
  submit(input: NewWorkItem): WorkItem {
    return this.run(() => {
      const fields = checkNewItem(input);
      const existing = this.byConversation.get(conversationKey(fields));
      if (existing) return snapshot(existing.item);
      if (this.store.get(fields.id))
        throw new DeskError('INVALID_STATE', `work item id ${fields.id} is taken`);
      const now = this.clock.now();
      const createdAt = Math.min(fields.createdAt ?? now, now);
      const queue = queueName(fields.skill, fields.language);
      const item: WorkItem = {
        ...fields,
        queue,
        createdAt,
        status: 'waiting',
        waitingSince: createdAt,
        escalated: false,
        history: [{ at: now, action: 'queued', queue }],
      };
      const entry: Entry = { item, seq: this.nextSeq++, offers: new Map(), tried: new Set() };
      this.entries.set(item.id, entry);
      this.byConversation.set(conversationKey(item), entry);
      this.startSla(entry);
      this.store.save(item);
      this.announce('queued', { item: snapshot(item), position: this.positionOf(entry) });
      this.dispatch();
      return snapshot(item);
    });
  }

  /**
   * The agent takes an item they were offered; any other agents ringing for it are told it was
   * taken. Accepting what is already yours is a no-op; accepting an offer that was withdrawn is
   * INVALID_STATE.
   */
  accept(agentId: string, itemId: string): WorkItem {
    return this.run(() => {
      const entry = this.requireEntry(itemId);
      if (entry.item.status === 'assigned' && entry.item.assignee === agentId) return snapshot(entry.item);
      if (!entry.offers.has(agentId)) {
        throw new DeskError('INVALID_STATE', `no offer of ${entry.item.id} stands for agent ${agentId}`);
      }
      this.dropOffer(entry, agentId);
      for (const other of [...entry.offers.keys()]) this.withdraw(entry, other, 'taken');
      this.clearSla(entry);
      entry.transferTo = undefined;
      entry.tried.clear();
      const { item } = entry;
      item.status = 'assigned';
      item.assignee = agentId;
      delete item.waitingSince;
      item.history.push({ at: this.clock.now(), action: 'assigned', agentId });
      setOf(this.assignedTo, agentId).add(item.id);
      this.store.save(item);
      this.announce('assigned', { item: snapshot(item), agentId });
      // Other offers this accept ended (a video call's other rings) freed slots.
      this.dispatch();
      return snapshot(item);
    });
  }

  /** The agent passes; the item moves on to the next agent who has not had it this round. */
  decline(agentId: string, itemId: string): void {
    this.run(() => {
      const entry = this.requireEntry(itemId);
      if (!entry.offers.has(agentId)) {
        throw new DeskError('INVALID_STATE', `no offer of ${entry.item.id} stands for agent ${agentId}`);
      }
      this.passOn(entry, agentId, 'declined');
      this.dispatch();
    });
  }

  /**
   * Moves a conversation elsewhere. Its holder (or a supervisor, who may also move items nobody
   * holds yet) sends it either to one named agent, who is offered it and whose decline or
   * silence sends it to its queue, or to another queue. It keeps its id and its history.
   */
  transfer(
    itemIdOrConversationId: string,
    target: TransferTarget,
    byAgentId: string,
    reason?: string,
  ): WorkItem {
    return this.run(() => {
      const entry = this.requireEntry(itemIdOrConversationId);
      const { item } = entry;
      const by = this.agentStates.get(byAgentId);
      const supervises = by !== undefined && by.role !== 'agent';
      const holds = item.status === 'assigned' && item.assignee === byAgentId;
      if (!holds && !supervises) {
        throw new DeskError(
          'FORBIDDEN',
          item.status === 'assigned'
            ? `only ${item.assignee} or a supervisor may transfer ${item.id}`
            : `only a supervisor may move ${item.id} while nobody has it`,
        );
      }

      let toAgent: AgentState | undefined;
      let toQueue: { skill: string; language: string } | undefined;
      if ('toAgentId' in target) {
        toAgent = this.agentStates.get(target.toAgentId);
        if (!toAgent) throw new DeskError('NOT_FOUND', `no agent ${target.toAgentId} at the desk`);
        if (toAgent.id === item.assignee) {
          throw new DeskError('INVALID_INPUT', `${item.id} is already with ${toAgent.id}`);
        }
        const load = this.load(toAgent.id) - (entry.offers.has(toAgent.id) ? 1 : 0);
        if (toAgent.status !== 'online' || load >= toAgent.maxConcurrent || !takesKind(toAgent, item)) {
          throw new DeskError('INVALID_STATE', `agent ${toAgent.id} is not available for a transfer`);
        }
      } else {
        toQueue = {
          skill: normalizeSkill(target.toQueue.skill),
          language: primaryLanguage(target.toQueue.language),
        };
      }

      const now = this.clock.now();
      const from = this.release(entry, 'transferred');
      // Whoever passed it on goes last in the next round, not first.
      entry.tried.clear();
      if (from) entry.tried.add(from);
      if (toQueue) {
        item.skill = toQueue.skill;
        item.language = toQueue.language;
        item.queue = queueName(toQueue.skill, toQueue.language);
      }
      const step: AssignmentStep = { at: now, action: 'transferred', by: byAgentId };
      if (toAgent) step.agentId = toAgent.id;
      else step.queue = item.queue;
      if (reason) step.reason = reason;
      this.enqueue(entry, step);
      this.store.save(item);
      this.announce('transferred', {
        item: snapshot(item),
        ...(from ? { from } : {}),
        to: structuredClone(target),
        by: byAgentId,
      });
      if (toAgent) {
        entry.transferTo = toAgent.id;
        this.makeOffer(entry, toAgent);
      } else {
        this.announce('queued', { item: snapshot(item), position: this.positionOf(entry) });
      }
      this.dispatch();
      return snapshot(item);
    });
  }

  /**
   * The conversation is over (or the customer left before anyone took it): the agent's slot is
   * free, and waiting work is routed. Closing an item already closed returns it.
   */
  close(conversationOrItemId: string): WorkItem {
    return this.run(() => {
      const entry = this.byConversation.get(conversationOrItemId) ?? this.entries.get(conversationOrItemId);
      if (!entry) {
        const closed = this.store.get(conversationOrItemId);
        if (closed?.status === 'closed') return closed;
        throw new DeskError('NOT_FOUND', `no open work item for ${conversationOrItemId}`);
      }
      const { item } = entry;
      this.release(entry, 'closed');
      this.clearSla(entry);
      item.status = 'closed';
      delete item.waitingSince;
      item.history.push({ at: this.clock.now(), action: 'closed' });
      this.entries.delete(item.id);
      this.byConversation.delete(conversationKey(item));
      this.store.save(item);
      this.announce('closed', { item: snapshot(item) });
      this.dispatch();
      return snapshot(item);
    });
  }

  /** Adds an agent or updates what the router knows of them; new skills may match waiting work. */
  upsertAgent(input: AgentInput): Agent {
    return this.run(() => {
      const fields = checkAgent(input);
      const now = this.clock.now();
      const known = this.agentStates.get(fields.id);
      const status = fields.status ?? known?.status ?? 'online';
      const agent: AgentState = {
        id: fields.id,
        role: fields.role ?? known?.role ?? 'agent',
        skills: fields.skills,
        languages: fields.languages,
        maxConcurrent: fields.maxConcurrent ?? known?.maxConcurrent ?? 3,
        status,
        idleSince: known && (known.status === 'online' || status !== 'online') ? known.idleSince : now,
      };
      if (fields.kinds) agent.kinds = fields.kinds;
      this.agentStates.set(agent.id, agent);
      if (status !== 'online') this.withdrawOffersOf(agent.id);
      else if (agent.kinds) this.withdrawOffersOf(agent.id, (item) => !takesKind(agent, item));
      this.dispatch();
      return this.view(agent);
    });
  }

  /**
   * Away and offline agents keep the conversations they have but are offered nothing new; the
   * offers they were holding go to others.
   */
  setAgentStatus(agentId: string, status: AgentStatus): Agent {
    return this.run(() => {
      if (!STATUSES.includes(status)) throw new DeskError('INVALID_INPUT', `unknown status "${status}"`);
      const agent = this.requireAgent(agentId);
      if (status === 'online' && agent.status !== 'online') agent.idleSince = this.clock.now();
      agent.status = status;
      if (status !== 'online') this.withdrawOffersOf(agentId);
      this.dispatch();
      return this.view(agent);
    });
  }

  /**
   * The agent leaves the desk for good (their account was removed): their offers go to others
   * and the conversations they held go back to their queues. False when there was no such agent.
   */
  removeAgent(agentId: string): boolean {
    return this.run(() => {
      if (!this.agentStates.has(agentId)) return false;
      this.withdrawOffersOf(agentId);
      this.agentStates.delete(agentId);
      const now = this.clock.now();
      for (const itemId of [...(this.assignedTo.get(agentId) ?? [])]) {
        const entry = this.entries.get(itemId);
        if (!entry) continue;
        this.release(entry, 'agent_unavailable');
        entry.tried.clear();
        this.enqueue(entry, {
          at: now,
          action: 'requeued',
          agentId,
          queue: entry.item.queue,
          reason: 'agent_removed',
        });
        this.store.save(entry.item);
        this.announce('queued', { item: snapshot(entry.item), position: this.positionOf(entry) });
      }
      this.assignedTo.delete(agentId);
      this.offeredTo.delete(agentId);
      this.dispatch();
      return true;
    });
  }

  /** Items nobody has yet (waiting or being offered), in the order they will be served. */
  queue(name?: string): QueuedWorkItem[] {
    const positions = new Map<string, number>();
    const queued: QueuedWorkItem[] = [];
    for (const entry of this.unassigned()) {
      const position = (positions.get(entry.item.queue) ?? 0) + 1;
      positions.set(entry.item.queue, position);
      if (name === undefined || entry.item.queue === name) queued.push({ ...snapshot(entry.item), position });
    }
    return queued;
  }

  /** The conversations an agent holds, oldest first. */
  assignments(agentId: string): WorkItem[] {
    return [...(this.assignedTo.get(agentId) ?? [])]
      .flatMap((id) => {
        const entry = this.entries.get(id);
        return entry ? [entry] : [];
      })
      .sort(byArrival)
      .map((entry) => snapshot(entry.item));
  }

  /** An item by its id or its conversation's, including closed ones (from the store). */
  item(idOrConversationId: string): WorkItem | undefined {
    const entry = this.entries.get(idOrConversationId) ?? this.byConversation.get(idOrConversationId);
    return entry ? snapshot(entry.item) : this.store.get(idOrConversationId);
  }

  agents(): Agent[] {
    return [...this.agentStates.values()].map((agent) => this.view(agent));
  }

  agent(agentId: string): Agent | undefined {
    const agent = this.agentStates.get(agentId);
    return agent && this.view(agent);
  }

  stats(): DeskStats {
    const now = this.clock.now();
    const queues = new Map<string, QueueStats>();
    for (const { item } of this.unassigned()) {
      const wait = now - (item.waitingSince ?? item.createdAt);
      const stats = queues.get(item.queue) ?? { queue: item.queue, waiting: 0, oldestWaitMs: 0 };
      stats.waiting += 1;
      stats.oldestWaitMs = Math.max(stats.oldestWaitMs, wait);
      queues.set(item.queue, stats);
    }
    const all = [...queues.values()].sort((a, b) => (a.queue < b.queue ? -1 : 1));
    return {
      queues: all,
      waiting: all.reduce((sum, q) => sum + q.waiting, 0),
      oldestWaitMs: all.reduce((max, q) => Math.max(max, q.oldestWaitMs), 0),
      assigned: [...this.entries.values()].filter((e) => e.item.status === 'assigned').length,
      agentsOnline: [...this.agentStates.values()].filter((a) => a.status === 'online').length,
    };
  }

  /** Stops every timer; the store keeps the state for the next router. */
  dispose(): void {
    for (const entry of this.entries.values()) {
      this.clearSla(entry);
      for (const offer of entry.offers.values()) this.clock.clearTimeout(offer.timer);
    }
  }

  // --- routing -------------------------------------------------------------------------------

  /**
   * Offers every item nobody has to whoever may take it, oldest first across all queues, so
   * the customer who has waited longest gets the first free agent. One pass is enough: an
   * offer only makes agents busier, never makes an earlier item newly offerable.
   */
  private dispatch(): void {
    for (const entry of this.unassigned()) this.offerNext(entry);
  }

  private offerNext(entry: Entry): void {
    const video = entry.item.kind === 'video';
    if (entry.transferTo !== undefined || (!video && entry.offers.size > 0)) return;
    const eligible = [...this.agentStates.values()]
      .map((agent) => this.candidate(agent))
      .filter((agent) => !entry.offers.has(agent.id) && canBeOffered(agent, entry.item));
    if (eligible.length === 0) return;
    let fresh = eligible.filter((agent) => !entry.tried.has(agent.id));
    if (fresh.length === 0) {
      // Everyone who could take it has passed. A video call still ringing somewhere waits for
      // those rings; otherwise a new round starts with the same people.
      if (entry.offers.size > 0) return;
      entry.tried.clear();
      fresh = eligible;
    }
    if (entry.item.escalated) {
      // Past its service level the item goes to a supervisor when one can take it.
      const supervisors = fresh.filter((agent) => agent.role !== 'agent');
      if (supervisors.length > 0) fresh = supervisors;
    }
    const chosen = video ? fresh : fresh.sort(bestFirst).slice(0, 1);
    for (const agent of chosen) this.makeOffer(entry, this.requireAgent(agent.id));
  }

  private makeOffer(entry: Entry, agent: AgentState): void {
    const { item } = entry;
    const expiresAt = this.clock.now() + this.offerTimeoutMs;
    const timer = this.clock.setTimeout(
      () => this.offerLapsed(item.id, agent.id, timer),
      this.offerTimeoutMs,
    );
    entry.offers.set(agent.id, { expiresAt, timer });
    setOf(this.offeredTo, agent.id).add(item.id);
    if (item.status !== 'offered') {
      item.status = 'offered';
      this.store.save(item);
    }
    this.announce('offer', { item: snapshot(item), agentId: agent.id, expiresAt });
  }

  private offerLapsed(itemId: string, agentId: string, timer: TimerHandle): void {
    this.run(() => {
      const entry = this.entries.get(itemId);
      // A stale timer (the offer was answered, withdrawn or made again) does nothing.
      if (!entry || entry.offers.get(agentId)?.timer !== timer) return;
      this.passOn(entry, agentId, 'timeout');
      this.dispatch();
    });
  }

  /** The agent declined or let the offer lapse: they sit out the rest of this round. */
  private passOn(entry: Entry, agentId: string, reason: 'declined' | 'timeout'): void {
    this.withdraw(entry, agentId, reason);
    entry.tried.add(agentId);
    entry.item.history.push({
      at: this.clock.now(),
      action: reason === 'declined' ? 'declined' : 'lapsed',
      agentId,
    });
    this.settle(entry);
  }

  /** After offers were withdrawn: back to waiting if none stands, to its queue if a transfer failed. */
  private settle(entry: Entry): void {
    const { item } = entry;
    if (item.status === 'offered' && entry.offers.size === 0) {
      item.status = 'waiting';
      if (entry.transferTo !== undefined) {
        entry.transferTo = undefined;
        item.history.push({
          at: this.clock.now(),
          action: 'requeued',
          queue: item.queue,
          reason: 'transfer_not_taken',
        });
        this.announce('queued', { item: snapshot(item), position: this.positionOf(entry) });
      }
    }
    this.store.save(item);
  }

  private withdraw(entry: Entry, agentId: string, reason: OfferWithdrawnReason): void {
    this.dropOffer(entry, agentId);
    this.announce('offer_withdrawn', { itemId: entry.item.id, agentId, reason });
  }

  private dropOffer(entry: Entry, agentId: string): void {
    const offer = entry.offers.get(agentId);
    if (offer) this.clock.clearTimeout(offer.timer);
    entry.offers.delete(agentId);
    this.offeredTo.get(agentId)?.delete(entry.item.id);
  }

  private withdrawOffersOf(agentId: string, which: (item: WorkItem) => boolean = () => true): void {
    for (const itemId of [...(this.offeredTo.get(agentId) ?? [])]) {
      const entry = this.entries.get(itemId);
      if (!entry || !which(entry.item)) continue;
      this.withdraw(entry, agentId, 'agent_unavailable');
      this.settle(entry);
    }
  }

  /** Takes the item off whoever had it or was being offered it; returns who had it. */
  private release(entry: Entry, reason: OfferWithdrawnReason): string | undefined {
    for (const agentId of [...entry.offers.keys()]) this.withdraw(entry, agentId, reason);
    entry.transferTo = undefined;
    const holder = entry.item.assignee;
    if (holder !== undefined) {
      this.assignedTo.get(holder)?.delete(entry.item.id);
      const agent = this.agentStates.get(holder);
      if (agent) agent.idleSince = this.clock.now();
      delete entry.item.assignee;
    }
    return holder;
  }

  /** Back in a queue with a fresh service level. */
  private enqueue(entry: Entry, step: AssignmentStep): void {
    const { item } = entry;
    item.status = 'waiting';
    item.waitingSince = this.clock.now();
    item.escalated = false;
    item.history.push(step);
    this.startSla(entry);
  }

  // --- service level ---------------------------------------------------------------------------

  private startSla(entry: Entry): void {
    this.clearSla(entry);
    const { item } = entry;
    if (item.escalated || item.status === 'assigned' || item.status === 'closed') return;
    const due = (item.waitingSince ?? item.createdAt) + this.slaMs - this.clock.now();
    entry.slaTimer = this.clock.setTimeout(() => this.slaMissed(item.id), Math.max(0, due));
  }

  private clearSla(entry: Entry): void {
    if (entry.slaTimer !== undefined) this.clock.clearTimeout(entry.slaTimer);
    entry.slaTimer = undefined;
  }

  private slaMissed(itemId: string): void {
    this.run(() => {
      const entry = this.entries.get(itemId);
      if (!entry || entry.item.status === 'assigned' || entry.item.escalated) return;
      entry.slaTimer = undefined;
      entry.item.escalated = true;
      entry.item.history.push({ at: this.clock.now(), action: 'escalated' });
      this.store.save(entry.item);
      this.announce('escalated', { item: snapshot(entry.item) });
      this.dispatch();
    });
  }

  // --- state -----------------------------------------------------------------------------------

  private restore(): void {
    for (const item of this.store.openItems()) {
      const entry: Entry = { item, seq: this.nextSeq++, offers: new Map(), tried: new Set() };
      this.entries.set(item.id, entry);
      this.byConversation.set(conversationKey(item), entry);
      if (item.status === 'assigned' && item.assignee !== undefined) {
        setOf(this.assignedTo, item.assignee).add(item.id);
        continue;
      }
      // Offers do not survive a restart; the item waits to be offered afresh.
      if (item.status !== 'waiting') {
        item.status = 'waiting';
        delete item.assignee;
        this.store.save(item);
      }
      // Restoring announces nothing (nobody listens yet): an overdue service level fires on the
      // clock's next turn instead of inside the constructor.
      this.startSla(entry);
    }
  }

  private unassigned(): Entry[] {
    return [...this.entries.values()].filter((entry) => entry.item.status !== 'assigned').sort(byArrival);
  }

  private positionOf(entry: Entry): number {
    const line = this.unassigned().filter((other) => other.item.queue === entry.item.queue);
    return line.indexOf(entry) + 1;
  }

  private load(agentId: string): number {
    return (this.assignedTo.get(agentId)?.size ?? 0) + (this.offeredTo.get(agentId)?.size ?? 0);
  }

  private candidate(agent: AgentState): Candidate {
    return { ...agent, load: this.load(agent.id) };
  }

  private view(agent: AgentState): Agent {
    return {
      ...agent,
      skills: [...agent.skills],
      languages: [...agent.languages],
      ...(agent.kinds && { kinds: [...agent.kinds] }),
      open: this.assignedTo.get(agent.id)?.size ?? 0,
      offered: this.offeredTo.get(agent.id)?.size ?? 0,
    };
  }

  private requireEntry(ref: string): Entry {
    const entry = this.entries.get(ref) ?? this.byConversation.get(ref);
    if (entry) return entry;
    if (this.store.get(ref)?.status === 'closed')
      throw new DeskError('INVALID_STATE', `work item ${ref} is closed`);
    throw new DeskError('NOT_FOUND', `no work item ${ref}`);
  }

  private requireAgent(agentId: string): AgentState {
    const agent = this.agentStates.get(agentId);
    if (!agent) throw new DeskError('NOT_FOUND', `no agent ${agentId} at the desk`);
    return agent;
  }

  // --- events ----------------------------------------------------------------------------------

  private announce<K extends keyof DeskRouterEvents & string>(event: K, ...args: DeskRouterEvents[K]): void {
    this.outbox.push(() => this.emit(event, ...args));
  }

  /**
   * Runs one change and then announces its events. A listener that calls back into the router
   * (accepting the offer it was just told about) runs its own change after this one is whole;
   * its events join the queue being delivered, so everyone hears everything in order.
   */
  private run<T>(change: () => T): T {
    try {
      return change();
    } finally {
      this.flush();
    }
  }

  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let deliver = this.outbox.shift(); deliver; deliver = this.outbox.shift()) deliver();
    } finally {
      this.flushing = false;
    }
  }
}

function byArrival(a: Entry, b: Entry): number {
  return a.item.createdAt - b.item.createdAt || a.seq - b.seq;
}

function snapshot(item: WorkItem): WorkItem {
  return structuredClone(item);
}

function setOf(map: Map<string, Set<string>>, key: string): Set<string> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  return set;
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new DeskError('INVALID_INPUT', `${name} must be positive`);
  return value;
}

function nonEmpty(value: unknown, name: string, max = 200): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw new DeskError('INVALID_INPUT', `${name} must be a non-empty string of at most ${max} characters`);
  }
  return value;
}

// Validated once here so everything past the router's door can trust the item's shape.
function checkNewItem(input: NewWorkItem): Omit<NewWorkItem, 'id'> & { id: string } {
  if (!KINDS.includes(input.kind)) throw new DeskError('INVALID_INPUT', `unknown work kind "${input.kind}"`);
  const fields: Omit<NewWorkItem, 'id'> & { id: string } = {
    id: input.id === undefined ? randomUUID() : nonEmpty(input.id, 'id'),
    conversationId: nonEmpty(input.conversationId, 'conversationId'),
    kind: input.kind,
    skill: normalizeSkill(input.skill),
    language: primaryLanguage(input.language),
  };
  if (input.createdAt !== undefined) {
    if (!Number.isFinite(input.createdAt))
      throw new DeskError('INVALID_INPUT', 'createdAt must be a time in ms');
    fields.createdAt = input.createdAt;
  }
  if (input.summary !== undefined) fields.summary = nonEmpty(input.summary, 'summary', 10_000);
  if (input.customer !== undefined) {
    const customer: NewWorkItem['customer'] = {};
    if (input.customer.name !== undefined) customer.name = nonEmpty(input.customer.name, 'customer.name');
    if (input.customer.email !== undefined)
      customer.email = nonEmpty(input.customer.email, 'customer.email', 254);
    fields.customer = customer;
  }
  if (input.context !== undefined) {
    // A copy through JSON: the item is stored as JSON, and the caller's object stays theirs.
    let context: unknown;
    try {
      context = JSON.parse(JSON.stringify(input.context));
    } catch (err) {
      throw new DeskError('INVALID_INPUT', 'context must be JSON', { cause: err });
    }
    if (typeof context !== 'object' || context === null || Array.isArray(context)) {
      throw new DeskError('INVALID_INPUT', 'context must be a JSON object');
    }
    fields.context = context as Record<string, unknown>;
  }
  return fields;
}

function checkAgent(input: AgentInput): {
  id: string;
  role?: AgentRole;
  skills: string[];
  languages: string[];
  maxConcurrent?: number;
  status?: AgentStatus;
  kinds?: WorkKind[];
} {
  if (input.role !== undefined && !ROLES.includes(input.role)) {
    throw new DeskError('INVALID_INPUT', `unknown role "${input.role}"`);
  }
  if (input.status !== undefined && !STATUSES.includes(input.status)) {
    throw new DeskError('INVALID_INPUT', `unknown status "${input.status}"`);
  }
  if (input.kinds !== undefined && !input.kinds.every((kind) => KINDS.includes(kind))) {
    throw new DeskError('INVALID_INPUT', 'kinds must be work kinds');
  }
  if (
    input.maxConcurrent !== undefined &&
    (!Number.isInteger(input.maxConcurrent) || input.maxConcurrent < 1)
  ) {
    throw new DeskError('INVALID_INPUT', 'maxConcurrent must be a whole number of at least 1');
  }
  return {
    id: nonEmpty(input.id, 'agent id'),
    ...(input.role !== undefined ? { role: input.role } : {}),
    skills: normalizeSkills(input.skills),
    languages: primaryLanguages(input.languages),
    ...(input.maxConcurrent !== undefined ? { maxConcurrent: input.maxConcurrent } : {}),
    ...(input.status !== undefined ? { status: input.status } : {}),
    ...(input.kinds !== undefined ? { kinds: [...input.kinds] } : {}),
  };
}

/**
 * The key of a conversation's open item: one chat/handoff item and, beside it, one video call
 * (a customer waiting for a person may still ask to see the product). Lookups by conversation
 * id find the chat item.
 */
function conversationKey(item: { conversationId: string; kind: string }): string {
  return item.kind === 'video' ? `${item.conversationId}#video` : item.conversationId;
}
