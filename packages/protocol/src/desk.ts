import { z } from 'zod';
import type { ErrorCode } from './errors.ts';
import type { ChatServerEvent, PageContext } from './chat.ts';
import { MAX_CHAT_TEXT } from './chat.ts';
import { parseJsonFrame, type FrameParseResult } from './frame.ts';

/**
 * The agent console protocol: JSON over one WebSocket per signed-in staff member at `/desk`.
 *
 * The first frame is `hello` with the session token from `POST /api/desk/login`. The node
 * answers `welcome` with a snapshot (the agent, their inbox, the queues, open offers), so a
 * reconnect simply says hello again and gets the present state. Conversations are watched one
 * by one with `watch` and their events arrive as `conversation` frames carrying the chat's own
 * `seq`: after a reconnect, `watch` with the last seq seen replays what was missed, as the
 * customer's widget does. A reply is persisted before its `sent` acknowledgement, and a reply
 * resent with the same clientId is taken once.
 */

export const StaffStatus = z.enum(['online', 'away', 'offline']);
export type StaffStatus = z.infer<typeof StaffStatus>;

const id = z.string().min(1).max(64);
const QueueRef = z.object({ skill: z.string().min(1).max(64), language: z.string().min(2).max(35) });

export const DeskClientMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    token: z.string().min(1).max(512),
    /**
     * What kind of client this is (default 'console'). A phone page shows video calls only, so
     * a member of staff whose only open clients are phones is offered video calls only.
     */
    device: z.enum(['console', 'phone']).optional(),
  }),
  z.object({ type: z.literal('status'), status: StaffStatus }),
  /** take an offered (or, for supervisors, any waiting) item */
  z.object({ type: z.literal('accept'), itemId: id }),
  z.object({ type: z.literal('decline'), itemId: id }),
  /** follow one conversation: its events after `lastSeq` are replayed, then live ones follow */
  z.object({ type: z.literal('watch'), conversationId: id, lastSeq: z.number().int().min(0).optional() }),
  z.object({ type: z.literal('unwatch'), conversationId: id }),
  /** a reply to the customer, in the agent's own words; the node translates it if needed */
  z.object({
    type: z.literal('reply'),
    conversationId: id,
    clientId: id,
    text: z.string().min(1).max(MAX_CHAT_TEXT),
    /** send exactly this text, untranslated */
    verbatim: z.boolean().optional(),
  }),
  z.object({
    type: z.literal('transfer'),
    conversationId: id,
    to: z.union([z.object({ agentId: id }), z.object({ queue: QueueRef })]),
    note: z.string().max(500).optional(),
  }),
  /** stop the AI and answer in person (a conversation still with the AI, or one handed off) */
  z.object({ type: z.literal('takeover'), conversationId: id }),
  /** let the AI carry on from here */
  z.object({ type: z.literal('handback'), conversationId: id }),
  /** end it; the customer is asked for a rating */
  z.object({ type: z.literal('close'), conversationId: id }),
  /** the clerk agrees to this video call being recorded */
  z.object({ type: z.literal('record_consent'), itemId: id }),
  z.object({ type: z.literal('ping') }),
]);
export type DeskClientMessage = z.infer<typeof DeskClientMessage>;

export interface StaffInfo {
  id: string;
  name: string;
  email: string;
  role: 'agent' | 'supervisor' | 'admin';
  skills: string[];
  languages: string[];
  maxConcurrent: number;
  status: StaffStatus;
}

/** A unit of work on the desk: a handoff from the AI, a new chat, a video request. */
export interface DeskItem {
  id: string;
  conversationId: string;
  kind: 'handoff' | 'chat' | 'video';
  queue: string;
  skill: string;
  language: string;
  status: 'waiting' | 'offered' | 'assigned' | 'closed';
  assignee?: string;
  createdAt: number;
  /** the AI's summary of what the customer needs */
  summary?: string;
  customer?: { name?: string; email?: string; id?: string };
  /** for video: the product the customer was looking at */
  product?: string;
  escalated?: boolean;
  /** the note of the transfer that brought it here, from a colleague who passed it on */
  note?: string;
}

/** A colleague as the transfer picker shows them. */
export interface DeskColleague {
  id: string;
  name: string;
  role: StaffInfo['role'];
  status: StaffStatus;
  skills: string[];
  languages: string[];
}

/** A call back a customer booked when nobody could take their video call. */
export interface DeskCallback {
  id: string;
  conversationId: string;
  /** when the customer wants the call, ms since the epoch */
  at: number;
  phone: string;
  language: string;
  product?: string;
  createdAt: number;
}

export interface DeskOffer {
  item: DeskItem;
  expiresAt: number;
}

/** What an agent sees beside a conversation. */
export interface DeskContext {
  conversationId: string;
  language: string;
  summary?: string;
  page?: PageContext;
  customer?: { id?: string; name?: string; email?: string; country?: string };
  orders: {
    number: string;
    status: string;
    total: string;
    placedAt: string;
    items: string[];
    tracking?: string;
  }[];
  /** who holds it now: the AI, a person, or nobody (waiting) */
  holder: 'ai' | 'agent' | 'waiting' | 'closed';
  /**
   * recorded video consultations, newest first; the file is at
   * GET /api/desk/recordings/<conversationId>/<itemId> for the clerk, supervisors and admins
   */
  recordings?: { itemId: string; at: number; bytes: number }[];
}

export type DeskServerMessage =
  | {
      type: 'welcome';
      staff: StaffInfo;
      inbox: DeskItem[];
      queues: { name: string; waiting: number; oldestWaitMs: number }[];
      offers: DeskOffer[];
      cannedReplies: { id: string; title: string; text: string }[];
      /** whether replies are translated (a model is configured) */
      translation: boolean;
      /** everyone else on the staff, for the transfer picker */
      colleagues?: DeskColleague[];
      /** booked call backs, soonest first (for staff who take video calls, and supervisors) */
      callbacks?: DeskCallback[];
    }
  /** the staff list changed (someone's status, say): the whole list again */
  | { type: 'colleagues'; colleagues: DeskColleague[] }
  /** a customer booked a call back */
  | { type: 'callback'; callback: DeskCallback }
  | { type: 'offer'; offer: DeskOffer }
  | { type: 'offer_withdrawn'; itemId: string; reason: string }
  /** an item entered or changed in this agent's inbox */
  | { type: 'inbox'; item: DeskItem }
  | { type: 'inbox_removed'; itemId: string; conversationId: string; reason: string }
  | { type: 'queues'; queues: { name: string; waiting: number; oldestWaitMs: number }[] }
  | { type: 'context'; context: DeskContext }
  /**
   * One event of a watched conversation. A finished message in another language than the
   * agent's carries `translation` into the agent's language (the original is `event.text`).
   */
  | {
      type: 'conversation';
      conversationId: string;
      event: ChatServerEvent;
      translation?: { language: string; text: string };
    }
  /** a reply was persisted (and sent to the customer) as `seq` */
  | { type: 'sent'; conversationId: string; clientId: string; seq: number }
  /** a video call to join: the clerk's room and token */
  | { type: 'video'; itemId: string; conversationId: string; room: string; token: string; identity: string }
  | { type: 'video_ended'; itemId: string; reason: string }
  | { type: 'recording'; itemId: string; state: 'waiting_consent' | 'recording' | 'saved'; file?: string }
  | { type: 'error'; code: ErrorCode | string; message: string; clientId?: string }
  | { type: 'pong' };

export type DeskParseResult = FrameParseResult<DeskClientMessage>;

/** Validate one frame from a console; garbage gets a reason, never an exception. */
export function parseDeskMessage(raw: string | Buffer, maxBytes = 16_384): DeskParseResult {
  return parseJsonFrame(DeskClientMessage, raw, maxBytes);
}
