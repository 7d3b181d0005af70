import type { Clock } from './Clock.ts';
import type { DeskStore } from './DeskStore.ts';
import type { StaffRole, StaffStatus } from './StaffDirectoryTypes.ts';

/**
 * What a customer is waiting for: a handoff from the AI agent, a chat started straight with a
 * person, or a video call (which rings every suitable agent at once).
 */
export type WorkKind = 'handoff' | 'chat' | 'video';

/** waiting: in its queue; offered: put to one agent (a video call: to several); assigned: an agent has it. */
export type WorkStatus = 'waiting' | 'offered' | 'assigned' | 'closed';

export interface WorkCustomer {
  name?: string;
  email?: string;
}

export interface NewWorkItem {
  /** default: a new UUID */
  id?: string;
  conversationId: string;
  kind: WorkKind;
  skill: string;
  /** any BCP-47 tag; routed on its primary subtag ('es-MX' → 'es') */
  language: string;
  /** when the customer started waiting (default now); orders the queue and starts the service level */
  createdAt?: number;
  summary?: string;
  customer?: WorkCustomer;
  /** anything the agent should see when it opens (order number, cart); must be JSON */
  context?: Record<string, unknown>;
}

export interface WorkItem {
  id: string;
  conversationId: string;
  kind: WorkKind;
  skill: string;
  language: string;
  /** `${skill}:${language}` */
  queue: string;
  createdAt: number;
  summary?: string;
  customer?: WorkCustomer;
  context?: Record<string, unknown>;
  status: WorkStatus;
  /** the agent who has it (status 'assigned') */
  assignee?: string;
  /** since when nobody has had it; the service level counts from here (absent while assigned) */
  waitingSince?: number;
  /** it waited past the service level, so supervisors may take it too */
  escalated: boolean;
  /** every step of its way through the desk, oldest first */
  history: AssignmentStep[];
}

export type AssignmentAction =
  'queued' | 'assigned' | 'declined' | 'lapsed' | 'escalated' | 'transferred' | 'requeued' | 'closed';

/** One step in an item's history: what happened, when, to whom, and who or what caused it. */
export interface AssignmentStep {
  at: number;
  action: AssignmentAction;
  /** the agent it concerns: who got it, declined it, let the offer lapse, or was transferred it */
  agentId?: string;
  /** who made it happen, when a person did (a transfer) */
  by?: string;
  /** the queue it entered (queued, requeued, transferred to a queue) */
  queue?: string;
  reason?: string;
}

export type AgentRole = StaffRole;
export type AgentStatus = StaffStatus;

/** What the router needs to know about a member of staff; a StaffMember fits as it is. */
export interface AgentInput {
  id: string;
  /** default 'agent' */
  role?: AgentRole;
  skills: readonly string[];
  languages: readonly string[];
  /** default 3 */
  maxConcurrent?: number;
  /** default 'online' for an agent the router has not seen, unchanged for one it has */
  status?: AgentStatus;
  /**
   * The kinds of work they can be offered now (default: every kind). Someone reachable only on
   * a device that shows video calls (a phone) takes video calls only; what they hold stays theirs.
   */
  kinds?: readonly WorkKind[];
}

export interface Agent {
  id: string;
  role: AgentRole;
  skills: string[];
  languages: string[];
  maxConcurrent: number;
  status: AgentStatus;
  /** absent: every kind */
  kinds?: WorkKind[];
  /** conversations assigned to them */
  open: number;
  /** offers waiting for their answer; each holds one of their slots */
  offered: number;
  /** when their last conversation ended or they came online; the longest idle is offered first */
  idleSince: number;
}

export type OfferWithdrawnReason =
  /** not answered within the offer timeout */
  | 'timeout'
  /** another agent accepted it (a video call rings several) */
  | 'taken'
  | 'declined'
  /** the agent went away, offline, or was removed */
  | 'agent_unavailable'
  /** someone moved the item elsewhere */
  | 'transferred'
  /** the conversation ended before anyone took it */
  | 'closed';

export type TransferTarget = { toAgentId: string } | { toQueue: { skill: string; language: string } };

export interface QueuedWorkItem extends WorkItem {
  /** 1 for the next in line of its queue */
  position: number;
}

export interface QueueStats {
  queue: string;
  /** items nobody has yet (waiting or offered) */
  waiting: number;
  oldestWaitMs: number;
}

export interface DeskStats {
  queues: QueueStats[];
  waiting: number;
  oldestWaitMs: number;
  assigned: number;
  agentsOnline: number;
}

export interface DeskRouterOptions {
  store: DeskStore;
  /** default: the system clock */
  clock?: Clock;
  /** how long an agent has to accept an offer (default 20 s) */
  offerTimeoutMs?: number;
  /** how long an item may wait before supervisors are brought in (default 120 s) */
  slaMs?: number;
}

/** Items in events are snapshots: a listener may keep them, and they do not change under it. */
export interface DeskRouterEvents {
  [event: string]: unknown[];
  offer: [{ item: WorkItem; agentId: string; expiresAt: number }];
  offer_withdrawn: [{ itemId: string; agentId: string; reason: OfferWithdrawnReason }];
  assigned: [{ item: WorkItem; agentId: string }];
  escalated: [{ item: WorkItem }];
  queued: [{ item: WorkItem; position: number }];
  transferred: [{ item: WorkItem; from?: string; to: TransferTarget; by: string }];
  closed: [{ item: WorkItem }];
}
