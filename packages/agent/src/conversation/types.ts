import type { ChatServerEvent, HandoffInfo, PageContext } from '@liveport/protocol';
import type { ChatMessage } from '../providers/llm/types.ts';

export type ConversationStatus = 'open' | 'handed_off' | 'closed';

/** A change the agent described and is waiting for the customer's explicit yes to. */
export interface PendingAction {
  id: string;
  tool: string;
  /** canonical JSON of the arguments: the confirmed change must be exactly this one */
  args: string;
  /** the tool's arguments as the model gave them, JSON: run again as they are once confirmed */
  input: string;
  summary: string;
  askedAtSeq: number;
  confirmedAtSeq?: number;
}

/** What the conversation knows beyond its messages; persisted with it. */
export interface ConversationState {
  /** orders this customer proved they own in this conversation (order number + e-mail) */
  verifiedOrderIds: string[];
  pending?: PendingAction;
  /** failed verify_customer attempts; too many lock verification (order numbers are guessable) */
  verifyFailures?: number;
  handoff?: HandoffInfo;
  /** fallback mode's position in a guided flow */
  guided?: { flow: string; step: string; values: Record<string, string> };
  /** the satisfaction survey sent when a person closed the conversation, and its answer */
  survey?: { askedAt: number; rating?: number; ratedAt?: number; agentName?: string };
}

export interface ConversationRecord {
  id: string;
  createdAt: number;
  updatedAt: number;
  status: ConversationStatus;
  language: string;
  customerId?: string;
  verifiedBy?: 'order_email' | 'storefront_session';
  resumeTokenHash: string;
  page?: PageContext;
  lastSeq: number;
  disclosedAt?: number;
  state: ConversationState;
}

export interface ToolCallRecord {
  id: string;
  conversationId: string;
  name: string;
  /** masked */
  arguments: unknown;
  /** masked */
  result: unknown;
  ok: boolean;
  at: number;
}

export interface AuditEntry {
  id: number;
  at: number;
  conversationId: string;
  customerId?: string;
  action: string;
  target?: string;
  outcome: 'done' | 'refused' | 'awaiting_confirmation' | 'failed';
  /** masked */
  details: unknown;
}

export type HandoffStatus = 'waiting' | 'assigned' | 'closed';

export interface HandoffRecord {
  id: string;
  conversationId: string;
  queue: string;
  skill: string;
  language: string;
  reason: string;
  summary: string;
  status: HandoffStatus;
  createdAt: number;
  customerId?: string;
}

/**
 * Where conversations live. Writes are synchronous on purpose: an event is on disk before it
 * is sent, so a client that saw a seq can always get it back.
 */
export interface ConversationStore {
  create(record: ConversationRecord): void;
  get(id: string): ConversationRecord | undefined;
  update(record: ConversationRecord): void;
  list(filter: { status?: ConversationStatus; limit: number; before?: number }): ConversationRecord[];
  /** persist one event (tokens are not persisted: message_end carries the text) */
  appendEvent(conversationId: string, event: ChatServerEvent, clientId?: string): void;
  eventsAfter(conversationId: string, seq: number): ChatServerEvent[];
  /** the highest persisted seq (0 when none) */
  lastSeq(conversationId: string): number;
  /** the seq of the customer message with this client id, if it was already taken */
  findClientMessage(conversationId: string, clientId: string): number | undefined;
  appendHistory(conversationId: string, message: ChatMessage): void;
  history(conversationId: string): ChatMessage[];
  /** rewrite one history entry (an interrupted reply keeps only what was heard) */
  replaceHistory(conversationId: string, index: number, message: ChatMessage): void;
  recordToolCall(record: ToolCallRecord): void;
  toolCalls(conversationId: string): ToolCallRecord[];
  audit(entry: Omit<AuditEntry, 'id'>): void;
  auditLog(filter: { conversationId?: string; limit: number }): AuditEntry[];
  addHandoff(record: HandoffRecord): void;
  updateHandoff(id: string, status: HandoffStatus): void;
  /** in arrival order; every filter given must match */
  handoffs(filter: { status?: HandoffStatus; queue?: string; conversationId?: string }): HandoffRecord[];
  close(): void;
}
