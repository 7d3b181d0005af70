import { join } from 'node:path';
import { ErrorCode, LiveportError, type ChatServerMessage, type DeskServerMessage } from '@liveport/protocol';
import type { DeskRouter, StaffDirectory } from '@liveport/desk';
import type { PublishedTrack, Room, Sfu } from '@liveport/media';
import type { AgentService, LiveConversation } from '@liveport/agent';
import { mintToken } from '../token.ts';
import { ConsultCallbacks, type ConsultCallback } from './consultCallbacks.ts';
import { RecordingSession } from './RecordingSession.ts';

/**
 * Video consultation: a customer on a product page asks to see it with a clerk. The request
 * rings every clerk who takes video calls in the customer's language (the desk router's video
 * rule); the first to accept meets the customer in a 1:1 room of their own. Nobody within the
 * ring time: the customer is offered the chat or a call back. The call is recorded only once
 * both the customer and the clerk have said yes, and the file is linked to the conversation.
 */

export type ConsultFrame = Extract<ChatServerMessage, { type: 'consult' }>;

/** What the consultations need of the desk (DeskService fits as it is). */
export interface ConsultDesk {
  readonly router: DeskRouter;
  readonly staff: StaffDirectory;
  sendToStaff(staffId: string, msg: DeskServerMessage): void;
  /** to the console that accepted the item only (default: every console of theirs) */
  sendForItem?(staffId: string, itemId: string, msg: DeskServerMessage): void;
  /** where the desk sends a clerk's `record_consent` */
  recordings?: { clerkConsents(staffId: string, itemId: string): void };
  /** where the console reads the booked call backs */
  callbacks?: { list(filter?: { from?: number; limit?: number }): ConsultCallback[] };
  /** a customer booked a call back: the staff who make them are told */
  callbackBooked?(callback: ConsultCallback): void;
}

export interface VideoConsultsOptions {
  desk: ConsultDesk;
  sfu: Sfu;
  agent: AgentService;
  apiKey: string;
  apiSecret: string;
  /** recordings go to `<dataDir>/recordings`; call-backs to the desk's SQLite file here */
  dataDir: string;
  /** how long a request rings before the customer is told nobody is free */
  ringMs: number;
  /** default `<dataDir>/desk.db` */
  callbacksFile?: string;
}

/** The chat actions the consultations answer (ChatSocket hands them over). */
export const CONSULT_ACTIONS = ['video_request', 'video_end', 'record_consent', 'callback'] as const;
export type ConsultAction = (typeof CONSULT_ACTIONS)[number];

export function isConsultAction(action: string): action is ConsultAction {
  return (CONSULT_ACTIONS as readonly string[]).includes(action);
}

type ConsultStatus = 'ringing' | 'connected' | 'unanswered' | 'ended';

interface Consult {
  itemId: string;
  conversationId: string;
  language: string;
  product?: string;
  status: ConsultStatus;
  room: string;
  customerIdentity: string;
  clerkId?: string;
  clerkIdentity?: string;
  ringTimer?: ReturnType<typeof setTimeout>;
  consent: { customer: boolean; clerk: boolean };
  recording?: RecordingSession;
  /** waiting for both sides' tracks before recording starts */
  recordTimer?: ReturnType<typeof setInterval>;
  /** what the customer was last told, sent again to a socket that reconnects */
  lastFrame?: ConsultFrame;
}

type Sink = (frame: ConsultFrame) => void;

/** how long recording waits for both sides to publish before it starts with what there is */
const RECORD_WAIT_MS = 10_000;
const TOKEN_TTL_SEC = 2 * 3600;

export class VideoConsults {
  readonly callbacks: ConsultCallbacks;
  private readonly byConversation = new Map<string, Consult>();
  private readonly byItem = new Map<string, Consult>();
  private readonly sinks = new Map<string, Set<Sink>>();
  private readonly offs: (() => void)[] = [];

  constructor(private readonly options: VideoConsultsOptions) {
    this.callbacks = new ConsultCallbacks(options.callbacksFile ?? join(options.dataDir, 'desk.db'));
    const { router } = options.desk;
    options.desk.recordings = this;
    options.desk.callbacks = this.callbacks;
    this.offs.push(
      router.on('assigned', ({ item, agentId }) => {
        const consult = this.byItem.get(item.id);
        if (consult && item.kind === 'video') this.connect(consult, agentId);
      }),
      router.on('closed', ({ item }) => {
        const consult = this.byItem.get(item.id);
        if (consult && (consult.status === 'ringing' || consult.status === 'connected'))
          void this.end(consult, 'closed');
      }),
      options.sfu.on('participantLeft', (room, _participant, reason) => {
        // The same person joining again (the clerk moving the call to their phone) replaces
        // their old connection: the call goes on.
        if (reason === 'duplicate_identity') return;
        const consult = this.byRoom(room);
        if (consult?.status === 'connected') void this.end(consult, 'left');
      }),
    );
  }

  /**
   * A customer's chat socket: it is told every step of its conversation's consultation, and
   * on (re)connecting, where the consultation stands. Returns the detach.
   */
  attach(conversationId: string, sink: Sink): () => void {
    let set = this.sinks.get(conversationId);
    if (!set) this.sinks.set(conversationId, (set = new Set()));
    set.add(sink);
    const current = this.byConversation.get(conversationId);
    if (current?.lastFrame && (current.status === 'ringing' || current.status === 'connected'))
      sink(current.lastFrame);
    return () => {
      set.delete(sink);
      if (set.size === 0) this.sinks.delete(conversationId);
    };
  }

  handles(action: string): action is ConsultAction {
    return isConsultAction(action);
  }

  /**
   * One of the consultation actions from the customer's chat. Like any action it is echoed in
   * the conversation (a `state` with its clientId) and persisted, so one resent after a
   * dropped connection is not done twice.
   */
  act(
    conversation: LiveConversation,
    clientId: string,
    action: ConsultAction,
    values: Record<string, string>,
  ): void {
    const store = this.options.agent.conversations;
    if (store.findClientMessage(conversation.id, clientId) !== undefined) return;
    const { record } = conversation;
    conversation.emit(
      {
        type: 'state',
        language: record.language,
        verified: !!record.customerId,
        ...(record.state.handoff && { handoff: record.state.handoff }),
        clientId,
      },
      clientId,
    );
    if (action === 'video_request') this.request(conversation, values.product);
    else if (action === 'video_end') this.hangUp(conversation.id);
    else if (action === 'record_consent') this.customerConsents(conversation.id, values.consent !== 'no');
    else this.bookCallback(conversation, values);
  }

  /** Ring the clerks for this conversation; a request already ringing or connected is kept. */
  request(conversation: LiveConversation, product?: string): void {
    const existing = this.byConversation.get(conversation.id);
    if (existing && (existing.status === 'ringing' || existing.status === 'connected')) {
      if (existing.lastFrame) this.tell(existing, existing.lastFrame);
      return;
    }
    const language = conversation.record.language || 'en';
    const page = conversation.record.page;
    const wanted = clean(product) ?? page?.product;
    const item = this.options.desk.router.submit({
      conversationId: conversation.id,
      kind: 'video',
      skill: 'video',
      language,
      summary: wanted ? `Video consultation about ${wanted}` : 'Video consultation',
      context: { ...(wanted && { product: wanted }), ...(page?.url && { url: page.url }) },
    });
    // The router keeps one video item per conversation beside its chat item; anything else
    // coming back is not a call to ring.
    if (item.kind !== 'video') {
      this.tellConversation(conversation.id, { type: 'consult', status: 'unanswered' });
      return;
    }
    const consult: Consult = {
      itemId: item.id,
      conversationId: conversation.id,
      language,
      ...(wanted && { product: wanted }),
      status: 'ringing',
      room: `consult-${item.id}`,
      customerIdentity: `customer-${conversation.id.slice(0, 8)}`,
      consent: { customer: false, clerk: false },
    };
    if (existing) this.byItem.delete(existing.itemId);
    this.byConversation.set(conversation.id, consult);
    this.byItem.set(item.id, consult);
    consult.ringTimer = setTimeout(() => this.unanswered(consult), this.options.ringMs);
    consult.ringTimer.unref?.();
    this.tell(consult, { type: 'consult', status: 'ringing' });
    // Already taken (a clerk accepted inside submit's own announcements) — nothing more to do.
    if (item.status === 'assigned' && item.assignee) this.connect(consult, item.assignee);
  }

  /** The clerk agrees to recording (the console's `record_consent`). */
  clerkConsents(staffId: string, itemId: string): void {
    const consult = this.byItem.get(itemId);
    if (!consult || consult.clerkId !== staffId)
      throw new LiveportError(ErrorCode.NOT_FOUND, `no video call ${itemId} of yours`);
    consult.consent.clerk = true;
    this.consentChanged(consult);
  }

  /** The customer's yes (or no, which stops a recording not yet started). */
  customerConsents(conversationId: string, yes = true): void {
    const consult = this.byConversation.get(conversationId);
    if (!consult) return;
    consult.consent.customer = yes;
    this.consentChanged(consult);
  }

  /** The customer hangs up or stops the ringing. */
  hangUp(conversationId: string): void {
    const consult = this.byConversation.get(conversationId);
    if (consult && (consult.status === 'ringing' || consult.status === 'connected'))
      void this.end(consult, 'customer_hung_up');
  }

  bookCallback(conversation: LiveConversation, values: Record<string, string>): void {
    const { at, phone } = ConsultCallbacks.parse(values);
    const consult = this.byConversation.get(conversation.id);
    const product = consult?.product ?? clean(values.product) ?? conversation.record.page?.product;
    const callback = this.callbacks.add({
      conversationId: conversation.id,
      ...(consult && { itemId: consult.itemId }),
      at,
      phone,
      language: conversation.record.language || 'en',
      ...(product && { product }),
    });
    this.options.agent.conversations.audit({
      at: Date.now(),
      conversationId: conversation.id,
      ...(conversation.record.customerId && { customerId: conversation.record.customerId }),
      action: 'video_callback',
      target: callback.id,
      outcome: 'done',
      details: { at, product },
    });
    this.tellConversation(conversation.id, { type: 'consult', status: 'callback_booked', at });
    this.options.desk.callbackBooked?.(callback);
  }

  /** The consultation of a conversation, for tests and the console: where it stands. */
  status(conversationId: string): { itemId: string; status: ConsultStatus; recording?: string } | undefined {
    const c = this.byConversation.get(conversationId);
    return c && { itemId: c.itemId, status: c.status, ...(c.recording && { recording: c.recording.file }) };
  }

  /** Stops every ring and recording (the node is stopping); recordings are finished. */
  async close(): Promise<void> {
    for (const off of this.offs) off();
    if (this.options.desk.recordings === this) delete this.options.desk.recordings;
    if (this.options.desk.callbacks === this.callbacks) delete this.options.desk.callbacks;
    const open = [...this.byItem.values()].filter((c) => c.status === 'ringing' || c.status === 'connected');
    await Promise.all(open.map((c) => this.end(c, 'node_stopping')));
    this.callbacks.close();
  }

  private connect(consult: Consult, clerkId: string): void {
    if (consult.status !== 'ringing') return;
    clearTimeout(consult.ringTimer);
    const { sfu, desk, apiKey, apiSecret } = this.options;
    const clerk = desk.staff.get(clerkId);
    consult.status = 'connected';
    consult.clerkId = clerkId;
    consult.clerkIdentity = `clerk-${clerkId}`;
    if (!sfu.get(consult.room)) sfu.create(consult.room, { maxParticipants: 4, emptyTimeoutSec: 60 });
    const token = (identity: string, name: string) =>
      mintToken({
        apiKey,
        apiSecret,
        identity,
        name,
        ttlSec: TOKEN_TTL_SEC,
        grants: {
          room: consult.room,
          join: true,
          subscribe: true,
          publish: ['camera', 'microphone'],
          publishData: true,
        },
      });
    const clerkName = clerk?.name ?? 'Clerk';
    this.tell(consult, {
      type: 'consult',
      status: 'connected',
      room: consult.room,
      token: token(consult.customerIdentity, 'Customer'),
      identity: consult.customerIdentity,
      clerkName,
    });
    // Only the console that accepted joins: two devices under one identity would push each
    // other out of the room.
    const invite = (msg: DeskServerMessage) =>
      desk.sendForItem ? desk.sendForItem(clerkId, consult.itemId, msg) : desk.sendToStaff(clerkId, msg);
    invite({
      type: 'video',
      itemId: consult.itemId,
      conversationId: consult.conversationId,
      room: consult.room,
      token: token(consult.clerkIdentity, clerkName),
      identity: consult.clerkIdentity,
    });
    if (consult.consent.customer || consult.consent.clerk) this.consentChanged(consult);
  }

  private unanswered(consult: Consult): void {
    if (consult.status !== 'ringing') return;
    consult.status = 'unanswered';
    try {
      // Withdraws the offers still ringing on the consoles and phones.
      this.options.desk.router.close(consult.itemId);
    } catch {
      // already closed elsewhere
    }
    this.tell(consult, { type: 'consult', status: 'unanswered' });
  }

  private consentChanged(consult: Consult): void {
    if (consult.status !== 'connected' || !consult.clerkId || consult.recording || consult.recordTimer)
      return;
    const { customer, clerk } = consult.consent;
    if (!(customer && clerk)) {
      this.options.desk.sendToStaff(consult.clerkId, {
        type: 'recording',
        itemId: consult.itemId,
        state: 'waiting_consent',
      });
      return;
    }
    // Both said yes: record once both sides' media is flowing (or what there is, after a wait).
    const started = Date.now();
    consult.recordTimer = setInterval(() => {
      const room = this.options.sfu.get(consult.room);
      const tracks = room ? roomTracks(room) : [];
      const sides = new Set(tracks.map((t) => t.publisherSid)).size;
      if (sides < 2 && Date.now() - started < RECORD_WAIT_MS) return;
      clearInterval(consult.recordTimer);
      consult.recordTimer = undefined;
      if (consult.status !== 'connected' || tracks.length === 0) return;
      this.startRecording(consult, tracks);
    }, 250);
  }

  private startRecording(consult: Consult, tracks: PublishedTrack[]): void {
    const file = join(
      this.options.dataDir,
      'recordings',
      `${consult.conversationId}-${consult.itemId}.webm`.replace(/[^\w.-]/g, '_'),
    );
    try {
      consult.recording = new RecordingSession(file, tracks);
    } catch (err) {
      console.error('video consult: recording could not start:', err);
      return;
    }
    this.tell(consult, { type: 'consult', status: 'recording' });
    this.options.desk.sendToStaff(consult.clerkId!, {
      type: 'recording',
      itemId: consult.itemId,
      state: 'recording',
    });
  }

  private async end(consult: Consult, reason: string): Promise<void> {
    const wasConnected = consult.status === 'connected';
    consult.status = 'ended';
    clearTimeout(consult.ringTimer);
    clearInterval(consult.recordTimer);
    consult.recordTimer = undefined;
    const { desk, sfu, agent } = this.options;
    try {
      desk.router.close(consult.itemId);
    } catch {
      // already closed (the close that brought us here)
    }
    this.tell(consult, { type: 'consult', status: 'ended' });
    if (consult.clerkId && wasConnected)
      desk.sendToStaff(consult.clerkId, { type: 'video_ended', itemId: consult.itemId, reason });
    if (sfu.get(consult.room)) sfu.delete(consult.room);
    const recording = consult.recording;
    if (!recording) return;
    const bytes = await recording.stop().catch((err: unknown) => {
      console.error('video consult: recording could not be finished:', err);
      return 0;
    });
    agent.conversations.audit({
      at: Date.now(),
      conversationId: consult.conversationId,
      action: 'video_recording',
      target: recording.file,
      outcome: bytes > 0 ? 'done' : 'failed',
      details: { itemId: consult.itemId, bytes, clerk: consult.clerkId },
    });
    if (consult.clerkId)
      desk.sendToStaff(consult.clerkId, {
        type: 'recording',
        itemId: consult.itemId,
        state: 'saved',
        file: recording.file,
      });
  }

  private byRoom(room: Room): Consult | undefined {
    if (!room.name.startsWith('consult-')) return undefined;
    return this.byItem.get(room.name.slice('consult-'.length));
  }

  private tell(consult: Consult, frame: ConsultFrame): void {
    consult.lastFrame = frame;
    this.tellConversation(consult.conversationId, frame);
  }

  private tellConversation(conversationId: string, frame: ConsultFrame): void {
    for (const sink of this.sinks.get(conversationId) ?? []) sink(frame);
  }
}

/** Every track of the room whose codec is known (media has arrived). */
function roomTracks(room: Room): PublishedTrack[] {
  return [...room.participants.values()].flatMap((p) =>
    [...p.published.values()].filter((t) => t.bound && t.mimeType !== ''),
  );
}

function clean(value: string | undefined): string | undefined {
  const trimmed = value?.trim().slice(0, 200);
  return trimmed ? trimmed : undefined;
}
