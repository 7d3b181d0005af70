import { z } from 'zod';
import type { ErrorCode } from './errors.ts';
import { parseJsonFrame, type FrameParseResult } from './frame.ts';

/**
 * The customer-service chat protocol: JSON over one WebSocket per conversation at `/chat`.
 *
 * Every server event carries `seq`, a number that grows by one per event within the
 * conversation. The client acknowledges what it has shown (`ack`) and, after a reconnect, says
 * `hello` with the conversation id and the last seq it saw: the node replays everything after
 * it, so nothing is lost, and the client drops any seq it already has, so nothing is doubled.
 * A finished message (`message_end`) always carries the whole text, so a client that missed
 * tokens (they are kept in memory only) still ends with the exact reply.
 */

export const MAX_CHAT_TEXT = 4000;

const PageContext = z.object({
  url: z.string().max(2048).optional(),
  /** the product the customer is looking at, by handle or id */
  product: z.string().max(200).optional(),
  title: z.string().max(300).optional(),
});
export type PageContext = z.infer<typeof PageContext>;

export const ChatClientMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    /** resume this conversation; omitted to start a new one */
    conversationId: z.string().max(64).optional(),
    /** the resume secret the node gave with `welcome`, proving the conversation is this client's */
    resumeToken: z.string().max(256).optional(),
    /** last seq the client has; events after it are replayed */
    lastSeq: z.number().int().min(0).optional(),
    /** the browser's language (navigator.language), a hint until the customer writes */
    language: z.string().max(35).optional(),
    /** a storefront session signed by the store (`customer:<id>:<expiry>.<hmac>`): verified at once */
    customerToken: z.string().max(1024).optional(),
    page: PageContext.optional(),
  }),
  z.object({
    type: z.literal('message'),
    /** the client's id for this message; a resent message with the same id is not processed twice */
    clientId: z.string().min(1).max(64),
    text: z.string().min(1).max(MAX_CHAT_TEXT),
    page: PageContext.optional(),
  }),
  /** a button or form in a card: confirm/decline a pending change, a guided step, ask for a person */
  z.object({
    type: z.literal('action'),
    clientId: z.string().min(1).max(64),
    action: z.string().min(1).max(64),
    /** form fields or the button's value */
    values: z.record(z.string().max(64), z.string().max(1000)).default({}),
  }),
  z.object({ type: z.literal('ack'), seq: z.number().int().min(0) }),
  z.object({ type: z.literal('ping') }),
]);
export type ChatClientMessage = z.infer<typeof ChatClientMessage>;

/** What the node knows of the brain behind the agent; the widget shows it. */
export interface BrainInfo {
  kind: string;
  model: string;
  /** fallback mode: guided steps only */
  limited: boolean;
}

export type CardKind =
  | 'product'
  | 'order'
  | 'confirm'
  | 'choices'
  | 'form'
  | 'handoff'
  | 'return'
  /** after a person closed the conversation: rating buttons (action `survey`, value `rating` 1-5) */
  | 'survey';

export interface CardButton {
  action: string;
  label: string;
  values?: Record<string, string>;
}

export interface CardField {
  name: string;
  label: string;
  type: 'text' | 'email' | 'select';
  options?: { value: string; label: string }[];
  required?: boolean;
}

export interface Card {
  kind: CardKind;
  title?: string;
  /** lines of text, already in the customer's language */
  lines?: string[];
  imageUrl?: string;
  url?: string;
  buttons?: CardButton[];
  /** a form: fields submitted as one action with `submit` as its name */
  fields?: CardField[];
  submit?: string;
  data?: Record<string, unknown>;
}

export type ChatRole = 'customer' | 'assistant' | 'agent' | 'system';

type Seq = { seq: number };

export type ChatServerEvent = Seq &
  (
    | { type: 'message_start'; messageId: string; role: ChatRole; at: number }
    | { type: 'token'; messageId: string; delta: string }
    | {
        type: 'message_end';
        messageId: string;
        role: ChatRole;
        text: string;
        at: number;
        /** the client's id of a customer message, echoed so the client can match it */
        clientId?: string;
        /** true when the reply was cut (the customer interrupted, an error) */
        interrupted?: boolean;
        /** a person's message: their display name */
        author?: string;
        /** a person's message translated for the customer: what they wrote, in their language */
        original?: { text: string; language: string };
      }
    | { type: 'card'; messageId?: string; card: Card }
    | {
        type: 'state';
        language: string;
        verified: boolean;
        handoff?: HandoffInfo;
        typing?: boolean;
        /** the client's id of the action this state answers: the action was taken */
        clientId?: string;
      }
  );

export interface HandoffInfo {
  id: string;
  queue: string;
  position: number;
  status: 'waiting' | 'assigned' | 'closed';
  /** the person now answering */
  agentName?: string;
}

/** Not part of the sequence: connection-level replies. */
export type ChatServerMessage =
  | ChatServerEvent
  | {
      type: 'welcome';
      conversationId: string;
      resumeToken: string;
      /** the last seq of the conversation; events up to it follow when resuming */
      seq: number;
      brain: BrainInfo;
      disclosure: string;
    }
  | { type: 'error'; code: ErrorCode | string; message: string; clientId?: string }
  | { type: 'pong' }
  /**
   * The answer to the `voice_start` action: the room to join with the SDK (signaling at /rtc)
   * and the token for it; the agent is already in the room, listening. Captions arrive as the
   * conversation's ordinary messages.
   */
  | { type: 'voice'; status: 'started'; room: string; token: string; identity: string }
  | { type: 'voice'; status: 'stopped' }
  | { type: 'voice'; status: 'unavailable'; message: string }
  /**
   * A video consultation (the `video_request` action): ringing the clerks, then the room and
   * token to join when one accepts; `unanswered` when nobody did in time (the widget offers
   * chat or a call back); `recording` once both sides consented (`record_consent` action).
   */
  | {
      type: 'consult';
      status: 'ringing' | 'connected' | 'unanswered' | 'ended' | 'recording' | 'callback_booked';
      room?: string;
      token?: string;
      identity?: string;
      clerkName?: string;
      /** for `callback_booked`: when */
      at?: number;
    }
  /** what the voice agent is doing: for the Talk button's light, not part of the sequence */
  | {
      type: 'voice_state';
      state: 'listening' | 'hearing' | 'thinking' | 'speaking' | 'interrupted' | 'resumed';
      transcript?: string;
      heard?: string;
    };

export type ChatParseResult = FrameParseResult<ChatClientMessage>;

/** Validate one frame from a chat client; garbage gets a reason, never an exception. */
export function parseChatMessage(raw: string | Buffer, maxBytes = 16_384): ChatParseResult {
  return parseJsonFrame(ChatClientMessage, raw, maxBytes);
}
