import { randomUUID } from 'node:crypto';
import type { Card, ChatRole, ChatServerEvent, PageContext } from '@liveport/protocol';
import { CommerceError } from '@liveport/commerce';
import type { ChatMessage, LlmProvider, ToolCall } from '../providers/llm/types.ts';
import { LlmError } from '../providers/llm/types.ts';
import type { Tool, ToolContext, ToolOutput } from '../tools/Tool.ts';
import { maskValue } from '../pii.ts';
import { readAnswer } from '../affirmation.ts';
import { phrases } from '../phrases.ts';
import { detectLanguage } from '../language.ts';
import { systemPrompt } from '../prompt.ts';
import type { AgentService } from '../AgentService.ts';
import type { ConversationRecord, HandoffRecord } from './types.ts';
import { ReplyPreview } from './ReplyPreview.ts';

type EventBody = ChatServerEvent extends infer E
  ? E extends ChatServerEvent
    ? Omit<E, 'seq'>
    : never
  : never;
export type ConversationSink = (event: ChatServerEvent) => void;

/** events kept in memory for resuming (tokens are nowhere else) */
const RECENT_EVENTS = 4000;
/** history sent to the model: enough for a long chat, bounded for cost */
const HISTORY_WINDOW = 60;

/**
 * One conversation while anyone is connected to it: numbers and persists its events, fans
 * them out to the customer's sockets, and runs its turns one at a time (a message sent while
 * the agent is answering waits for that answer, as in any chat).
 */
export class LiveConversation {
  private readonly sinks = new Set<ConversationSink>();
  private readonly recent: ChatServerEvent[] = [];
  private history: ChatMessage[];
  /** assistant message id -> its place in `history`, for rewriting an interrupted reply */
  private readonly historyIndex = new Map<string, number>();
  /** bumped on every change to `history`: a reply previewed on an older one is void */
  private historyVersion = 0;
  /** the reply being written now, and what of it was heard if it was cut off */
  private streaming?: { messageId: string; heard?: string };
  private turn: Promise<void> = Promise.resolve();
  private pendingTurns = 0;
  private abort?: AbortController;
  private closed = false;

  constructor(
    readonly record: ConversationRecord,
    readonly service: AgentService,
  ) {
    this.history = service.conversations.history(record.id);
  }

  get id(): string {
    return this.record.id;
  }

  subscribe(sink: ConversationSink): () => void {
    this.sinks.add(sink);
    return () => {
      this.sinks.delete(sink);
      if (this.sinks.size === 0) this.service.idle(this);
    };
  }

  get connected(): number {
    return this.sinks.size;
  }

  /** Everything after `seq`: from memory when it reaches back that far, else from the store. */
  replayAfter(seq: number): ChatServerEvent[] {
    const first = this.recent[0];
    if (first && first.seq <= seq + 1) return this.recent.filter((e) => e.seq > seq);
    const stored = this.service.conversations.eventsAfter(this.id, seq);
    const last = stored.at(-1)?.seq ?? seq;
    return [...stored, ...this.recent.filter((e) => e.seq > last)];
  }

  /**
   * A client saw seqs this node never persisted (tokens, before a restart): continue after
   * them, or the client would drop new events as duplicates.
   */
  catchUp(clientSeq: number): void {
    // bounded: a client cannot push the numbering arbitrarily far ahead
    if (clientSeq > this.record.lastSeq && clientSeq - this.record.lastSeq < 1_000_000) {
      this.record.lastSeq = clientSeq;
      this.save();
    }
  }

  emit(body: EventBody, clientId?: string): ChatServerEvent {
    const event = { ...body, seq: ++this.record.lastSeq } as ChatServerEvent;
    if (event.type !== 'token') {
      // The event row carries its seq, so the record's lastSeq need not be written with it
      // (a resume takes the larger of the two); state changes save the record themselves.
      this.record.updatedAt = Date.now();
      this.service.conversations.appendEvent(this.id, event, clientId);
    }
    this.recent.push(event);
    if (this.recent.length > RECENT_EVENTS) this.recent.splice(0, this.recent.length - RECENT_EVENTS);
    for (const sink of this.sinks) sink(event);
    return event;
  }

  private save(): void {
    this.service.conversations.update(this.record);
  }

  /** A whole message at once (the node's own sentences, the customer's messages). */
  say(role: ChatRole, text: string, clientId?: string): ChatServerEvent {
    const messageId = randomUUID();
    // A customer's message is shown whole: no start, no tokens, just its end.
    if (role !== 'customer') this.emit({ type: 'message_start', messageId, role, at: Date.now() });
    return this.emit({ type: 'message_end', messageId, role, text, at: Date.now(), clientId }, clientId);
  }

  card(card: Card, messageId?: string): void {
    this.emit({ type: 'card', card, ...(messageId && { messageId }) });
  }

  private stateEvent(typing?: boolean): void {
    const h = this.record.state.handoff;
    this.emit({
      type: 'state',
      language: this.record.language,
      verified: !!this.record.customerId,
      ...(h && { handoff: h }),
      ...(typing !== undefined && { typing }),
    });
  }

  private remember(message: ChatMessage, messageId?: string): void {
    if (messageId) this.historyIndex.set(messageId, this.history.length);
    this.history.push(message);
    this.historyVersion++;
    this.service.conversations.appendHistory(this.id, message);
  }

  /**
   * The customer cut the reply off (barge-in): the model's memory and the transcript keep
   * only what was heard. A reply still being written is cancelled; one already written (the
   * voice was behind the text) is rewritten.
   */
  interrupt(messageId: string, heard: string): void {
    if (this.streaming?.messageId === messageId) {
      this.streaming.heard = heard;
      this.abort?.abort();
      return;
    }
    const index = this.historyIndex.get(messageId);
    const message = index === undefined ? undefined : this.history[index];
    if (index === undefined || message?.role !== 'assistant') return;
    const cut: ChatMessage = { ...message, content: heard };
    this.history[index] = cut;
    this.historyVersion++;
    this.service.conversations.replaceHistory(this.id, index, cut);
    this.endMessage(messageId, heard, true);
  }

  /** Run inputs one after another; a failure in one never blocks the next. */
  private enqueue(work: () => Promise<void>): Promise<void> {
    this.pendingTurns++;
    this.turn = this.turn
      .then(() => (this.closed ? undefined : work()))
      .catch((err: unknown) => {
        // A turn cut short by the node shutting down (its store already closed) is no failure to report.
        if (this.closed) return;
        console.error(`conversation ${this.id}: ${(err as Error).message}`);
        try {
          this.say('assistant', phrases(this.record.language).unavailable);
        } catch (sayErr) {
          console.error(`conversation ${this.id}: could not tell the customer: ${(sayErr as Error).message}`);
        }
      })
      .finally(() => this.pendingTurns--);
    return this.turn;
  }

  /** a turn is running or waiting */
  get busy(): boolean {
    return this.pendingTurns > 0;
  }

  /** Start a new conversation: the AI disclosure first, recorded as given. */
  open(): void {
    const p = phrases(this.record.language);
    this.say('assistant', p.disclosure);
    this.record.disclosedAt = Date.now();
    this.service.conversations.audit({
      at: Date.now(),
      conversationId: this.id,
      action: 'ai_disclosure',
      outcome: 'done',
      details: { language: this.record.language, text: p.disclosure },
    });
    this.stateEvent();
    if (this.service.limited) this.service.guide.start(this);
  }

  // ---- customer input ---------------------------------------------------------------------------

  customerMessage(
    clientId: string,
    text: string,
    page?: PageContext,
    /** the model's reply to this text, begun before the customer finished (voice) */
    preview?: ReplyPreview,
  ): Promise<void> {
    if (this.service.conversations.findClientMessage(this.id, clientId) !== undefined) {
      preview?.discard();
      return Promise.resolve();
    }
    if (page) this.record.page = page;
    const language = detectLanguage(text, this.record.language);
    const languageChanged = language !== this.record.language;
    this.record.language = language;
    const event = this.say('customer', text, clientId);
    if (languageChanged) this.stateEvent();
    return this.enqueue(async () => {
      // Usable only if it answers exactly this text on the history as it stands now.
      const usable =
        preview &&
        !preview.discarded &&
        preview.text === text &&
        preview.historyVersion === this.historyVersion;
      if (preview && !usable) preview.discard();
      try {
        this.remember({ role: 'user', content: text });
        if (this.record.status === 'handed_off') return;
        if (this.record.state.pending && (await this.answerPending(readAnswer(text), event.seq))) return;
        if (this.service.limited) return this.service.guide.onMessage(this, text);
        await this.reply(usable ? preview : undefined);
      } finally {
        preview?.discard(); // a no-op once the reply took it
      }
    });
  }

  /**
   * Start the model on a customer message that is not said yet (a voice customer paused; the
   * turn may or may not be over). Nothing is stored or shown until `customerMessage` is called
   * with it. Undefined when the reply could not be the one the message would get: a turn is
   * running, a change awaits the customer's yes, a person has the conversation, the language
   * would change, or there is no model.
   */
  preview(text: string): ReplyPreview | undefined {
    if (
      this.closed ||
      this.busy ||
      this.service.limited ||
      this.record.status === 'handed_off' ||
      this.record.state.pending ||
      detectLanguage(text, this.record.language) !== this.record.language
    )
      return undefined;
    const history = [...this.history, { role: 'user' as const, content: text }];
    return new ReplyPreview(text, this.historyVersion, async (signal) =>
      (this.service.provider as LlmProvider).chat({
        messages: await this.modelMessages(history),
        tools: this.service.toolSpecs,
        signal,
      }),
    );
  }

  action(clientId: string, action: string, values: Record<string, string>): Promise<void> {
    if (this.service.conversations.findClientMessage(this.id, clientId) !== undefined)
      return Promise.resolve();
    // Actions are persisted like messages so that a resent click is not done twice.
    this.emit(
      { type: 'state', language: this.record.language, verified: !!this.record.customerId, clientId },
      clientId,
    );
    return this.enqueue(async () => {
      const pending = this.record.state.pending;
      if ((action === 'confirm' || action === 'decline') && pending && values.id === pending.id) {
        this.remember({ role: 'user', content: action === 'confirm' ? 'Yes, I confirm.' : 'No.' });
        await this.answerPending(action === 'confirm' ? 'yes' : 'no', this.record.lastSeq);
        return;
      }
      if (action === 'confirm' || action === 'decline') return; // a stale button: that change is gone
      if (action === 'handoff') {
        if (this.record.status === 'handed_off') return;
        this.remember({ role: 'user', content: 'I would like to talk to a person.' });
        await this.handoff({
          reason: 'customer asked for a person',
          skill: 'after_sales',
          summary: this.summary(),
        });
        return;
      }
      if (action === 'survey') return this.rate(values.rating);
      await this.service.guide.onAction(this, action, values);
    });
  }

  /** The customer's answer to the survey: taken once, kept with the conversation, thanked for. */
  private rate(value: string | undefined): void {
    const survey = this.record.state.survey;
    const rating = Number(value);
    if (!survey || survey.rating !== undefined || !Number.isInteger(rating) || rating < 1 || rating > 5)
      return;
    survey.rating = rating;
    survey.ratedAt = Date.now();
    this.save();
    this.service.conversations.audit({
      at: Date.now(),
      conversationId: this.id,
      customerId: this.record.customerId,
      action: 'survey',
      outcome: 'done',
      details: { rating, agentName: survey.agentName },
    });
    this.say('system', phrases(this.record.language).surveyThanks);
  }

  /** The customer's yes or no to the pending change; false when the answer was neither. */
  private async answerPending(answer: 'yes' | 'no' | 'unclear', seq: number): Promise<boolean> {
    const pending = this.record.state.pending;
    if (!pending || answer === 'unclear') return false;
    if (answer === 'no') {
      this.record.state.pending = undefined;
      this.service.conversations.audit({
        at: Date.now(),
        conversationId: this.id,
        customerId: this.record.customerId,
        action: pending.tool,
        outcome: 'refused',
        details: { reason: 'customer declined' },
      });
      this.save();
      if (this.service.limited) {
        this.say('assistant', phrases(this.record.language).declined);
        this.service.guide.menu(this);
      } else await this.reply();
      return true;
    }
    pending.confirmedAtSeq = seq;
    const call: ToolCall = { id: `confirmed-${pending.id}`, name: pending.tool, arguments: pending.input };
    // The change runs now, from the customer's yes, not from another model turn: the model's
    // part is only to report it.
    this.remember({ role: 'assistant', content: null, toolCalls: [call] });
    const output = await this.runTool(call);
    this.remember({ role: 'tool', toolCallId: call.id, content: JSON.stringify(output.result) });
    if (this.service.limited) {
      if (output.ok) this.say('assistant', phrases(this.record.language).done);
      this.service.guide.menu(this);
    } else await this.reply();
    return true;
  }

  // ---- the model's turn --------------------------------------------------------------------------

  /** What the model is sent: the system prompt as of now, then the recent history. */
  private async modelMessages(history: ChatMessage[]): Promise<ChatMessage[]> {
    return [
      {
        role: 'system',
        content: systemPrompt({
          storeName: this.service.storeName,
          policy: await this.service.policy(),
          conversation: this.record,
          page: this.record.page,
          now: this.service.now(),
        }),
      },
      ...windowed(history),
    ];
  }

  /** The model's turn; its first round may be a reply already begun (`preview`). */
  private async reply(preview?: ReplyPreview): Promise<void> {
    const provider = this.service.provider as LlmProvider;
    const specs = this.service.toolSpecs;
    const abort = (this.abort = new AbortController());
    for (let round = 0; round < this.service.maxToolRounds; round++) {
      if (this.closed || this.record.status === 'handed_off') return;
      const stream =
        round === 0 && preview
          ? preview.take(abort.signal)
          : provider.chat({
              messages: await this.modelMessages(this.history),
              tools: specs,
              signal: abort.signal,
            });
      let messageId: string | undefined;
      let text = '';
      const calls: ToolCall[] = [];
      try {
        for await (const event of stream) {
          if (event.type === 'text') {
            if (!messageId) {
              messageId = randomUUID();
              this.streaming = { messageId };
              this.emit({ type: 'message_start', messageId, role: 'assistant', at: Date.now() });
            }
            text += event.delta;
            this.emit({ type: 'token', messageId, delta: event.delta });
          } else if (event.type === 'tool_call') calls.push(event.call);
        }
      } catch (err) {
        const heard = this.streaming?.heard;
        this.streaming = undefined;
        const kept = heard ?? text;
        if (messageId) this.endMessage(messageId, kept, true);
        if (kept) this.remember({ role: 'assistant', content: kept }, messageId);
        const code = err instanceof LlmError ? err.code : 'LLM_UNAVAILABLE';
        if (code === 'LLM_ABORTED' || heard !== undefined) return;
        console.error(`conversation ${this.id}: the model failed (${code}): ${(err as Error).message}`);
        this.say('assistant', phrases(this.record.language).unavailable);
        this.card({
          kind: 'choices',
          buttons: [{ action: 'handoff', label: phrases(this.record.language).person }],
        });
        return;
      }
      this.streaming = undefined;
      if (messageId) this.endMessage(messageId, text, false);
      this.remember(
        { role: 'assistant', content: text || null, ...(calls.length && { toolCalls: calls }) },
        messageId,
      );
      if (!calls.length) return;
      for (const call of calls) {
        const output = await this.runTool(call, messageId);
        this.remember({ role: 'tool', toolCallId: call.id, content: JSON.stringify(output.result) });
      }
    }
    // A model that keeps calling tools without answering is stuck: a person takes over.
    await this.handoff({
      reason: 'the assistant could not finish',
      skill: 'after_sales',
      summary: this.summary(),
    });
  }

  private endMessage(messageId: string, text: string, interrupted: boolean): void {
    this.emit({
      type: 'message_end',
      messageId,
      role: 'assistant',
      text,
      at: Date.now(),
      ...(interrupted && { interrupted }),
    });
  }

  /** Validate and run one tool call; every outcome is recorded, personal data masked. */
  async runTool(call: ToolCall, messageId?: string): Promise<ToolOutput> {
    const tool = this.service.tools.find((t) => t.name === call.name);
    let output: ToolOutput;
    let args: unknown;
    try {
      args = JSON.parse(call.arguments || '{}');
    } catch {
      args = undefined;
    }
    if (!tool) {
      output = {
        ok: false,
        code: 'UNKNOWN_TOOL',
        result: { error: 'UNKNOWN_TOOL', message: `no tool ${call.name}` },
      };
    } else if (args === undefined) {
      output = {
        ok: false,
        code: 'BAD_ARGUMENTS',
        result: { error: 'BAD_ARGUMENTS', message: 'arguments are not JSON' },
      };
    } else {
      const parsed = tool.schema.safeParse(args);
      if (!parsed.success) {
        output = {
          ok: false,
          code: 'BAD_ARGUMENTS',
          result: {
            error: 'BAD_ARGUMENTS',
            message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
          },
        };
      } else {
        output = await this.invoke(tool, parsed.data);
      }
    }
    this.service.conversations.recordToolCall({
      id: `${this.id}:${call.id}:${this.record.lastSeq}`,
      conversationId: this.id,
      name: call.name,
      arguments: maskValue(args),
      result: maskValue(output.result),
      ok: output.ok,
      at: Date.now(),
    });
    this.save();
    for (const card of output.cards ?? []) this.card(card, messageId);
    if (call.name === 'verify_customer' && output.ok) this.stateEvent();
    // The node tells the customer itself, in their language and with their place in the
    // queue: that sentence must be right even if the model would word it loosely.
    if (call.name === 'handoff_to_human' && output.ok) {
      this.say('assistant', (output.result as { toldCustomer: string }).toldCustomer);
    }
    return output;
  }

  private async invoke(tool: Tool, args: unknown): Promise<ToolOutput> {
    try {
      return await tool.run(args, this.toolContext());
    } catch (err) {
      if (err instanceof CommerceError) {
        return { ok: false, code: err.code, result: { error: err.code, message: err.message } };
      }
      console.error(`tool ${tool.name} failed: ${(err as Error).message}`);
      return {
        ok: false,
        code: 'TOOL_FAILED',
        result: { error: 'TOOL_FAILED', message: 'the store could not be reached' },
      };
    }
  }

  private toolContext(): ToolContext {
    const service = this.service;
    const provider = service.provider;
    return {
      store: service.store,
      policy: service.policyNow(),
      conversation: this.record,
      now: service.now(),
      seq: this.record.lastSeq,
      audit: (entry) =>
        service.conversations.audit({
          ...entry,
          details: maskValue(entry.details),
          at: Date.now(),
          conversationId: this.id,
          customerId: this.record.customerId,
        }),
      handoff: (request) => this.enterQueue(request),
      ...(provider?.embed && { embed: (texts: string[]) => provider.embed!(texts) }),
    };
  }

  private enterQueue(request: Pick<HandoffRecord, 'reason' | 'skill' | 'language' | 'summary'>) {
    const result = this.service.handoffs.enqueue({
      ...request,
      conversationId: this.id,
      customerId: this.record.customerId,
    });
    this.record.status = 'handed_off';
    this.record.state.handoff = {
      id: result.handoff.id,
      queue: result.handoff.queue,
      position: result.position,
      status: 'waiting',
    };
    this.abort?.abort();
    this.save();
    this.stateEvent();
    this.service.handoffEntered(this, result.handoff);
    return result;
  }

  // ---- a person at the desk ------------------------------------------------------------------------

  /**
   * A person's reply, persisted before it is returned (the console is acknowledged with its
   * seq). A reply resent with the same clientId is taken once: the first one's event comes back.
   */
  agentMessage(
    staff: { id: string; name: string },
    text: string,
    clientId: string,
    original?: { text: string; language: string },
  ): ChatServerEvent {
    const key = agentClientKey(clientId);
    const seen = this.findAgentMessage(clientId);
    if (seen !== undefined) {
      const earlier = this.service.conversations.eventsAfter(this.id, seen - 1).find((e) => e.seq === seen);
      if (earlier) return earlier;
    }
    const messageId = randomUUID();
    this.emit({ type: 'message_start', messageId, role: 'agent', at: Date.now() });
    const event = this.emit(
      {
        type: 'message_end',
        messageId,
        role: 'agent',
        text,
        at: Date.now(),
        author: staff.name,
        ...(original && { original }),
      },
      key,
    );
    // The model reads the person's words as its own side of the chat, should it take over again.
    this.remember({ role: 'assistant', content: text }, messageId);
    return event;
  }

  /** The seq of a person's reply with this clientId, if it was already taken. */
  findAgentMessage(clientId: string): number | undefined {
    return this.service.conversations.findClientMessage(this.id, agentClientKey(clientId));
  }

  /** A person accepted the conversation from the desk: the customer is told who is answering. */
  assign(staffName: string): void {
    this.joinedBy(staffName);
    if (this.record.state.handoff?.id)
      this.service.conversations.updateHandoff(this.record.state.handoff.id, 'assigned');
  }

  /** A person answers from here on: the AI stops, mid-reply if it was writing. */
  takeOver(staff: { id: string; name: string }): void {
    this.joinedBy(staff.name);
  }

  private joinedBy(name: string): void {
    const known = this.record.state.handoff;
    const alreadyThere = this.record.status === 'handed_off' && known?.agentName === name;
    this.record.status = 'handed_off';
    this.record.state.handoff = {
      id: known?.id ?? randomUUID(),
      queue: known?.queue ?? 'desk',
      position: 0,
      status: 'assigned',
      agentName: name,
    };
    this.abort?.abort();
    this.save();
    if (!alreadyThere) this.say('system', phrases(this.record.language).agentJoined(name));
    this.stateEvent();
  }

  /** The person lets the AI carry on: it answers the customer's next message. */
  handBack(): void {
    const handoff = this.record.state.handoff;
    if (handoff) this.service.conversations.updateHandoff(handoff.id, 'closed');
    this.record.status = 'open';
    this.record.state.handoff = undefined;
    this.save();
    this.stateEvent();
  }

  /** The person ends the conversation: a closing line and a survey, in the customer's language. */
  closeByAgent(): void {
    const p = phrases(this.record.language);
    const handoff = this.record.state.handoff;
    if (handoff) {
      this.service.conversations.updateHandoff(handoff.id, 'closed');
      this.record.state.handoff = { ...handoff, status: 'closed' };
    }
    this.record.status = 'closed';
    this.record.state.survey = {
      askedAt: Date.now(),
      ...(handoff?.agentName && { agentName: handoff.agentName }),
    };
    this.save();
    this.say('system', p.closing);
    this.stateEvent();
    this.card({
      kind: 'survey',
      title: p.surveyQuestion,
      buttons: [1, 2, 3, 4, 5].map((n) => ({
        action: 'survey',
        label: String(n),
        values: { rating: String(n) },
      })),
    });
  }

  /** Hand off without the model (the customer's button, fallback mode, a stuck model). */
  async handoff(request: { reason: string; skill: string; summary: string }): Promise<void> {
    const call: ToolCall = {
      id: `handoff-${randomUUID()}`,
      name: 'handoff_to_human',
      arguments: JSON.stringify({ ...request, language: this.record.language }),
    };
    await this.runTool(call);
  }

  /** What a colleague needs, written by the node: used when the model did not write one. */
  summary(): string {
    const r = this.record;
    const asked = this.history
      .filter((m): m is { role: 'user'; content: string } => m.role === 'user')
      .slice(-4)
      .map((m) => `"${m.content.slice(0, 200)}"`);
    return [
      `Language: ${r.language}.`,
      r.customerId ? `Verified customer ${r.customerId} (${r.verifiedBy}).` : 'Customer not verified.',
      r.page?.product ? `Was looking at product ${r.page.product}.` : '',
      asked.length ? `Customer said: ${asked.join(' | ')}.` : '',
      r.state.pending ? `Unconfirmed change: ${r.state.pending.summary}.` : '',
      r.state.guided ? `Guided step: ${r.state.guided.flow}/${r.state.guided.step}.` : '',
    ]
      .filter(Boolean)
      .join(' ');
  }

  close(): void {
    this.closed = true;
    this.abort?.abort();
    this.sinks.clear();
  }
}

// Namespaced: the console's ids and the customer's share the conversation's unique index.
function agentClientKey(clientId: string): string {
  return `desk:${clientId}`;
}

function windowed(history: ChatMessage[]): ChatMessage[] {
  if (history.length <= HISTORY_WINDOW) return history;
  let start = history.length - HISTORY_WINDOW;
  // never start on a tool result whose call was cut off
  while (start < history.length && history[start]!.role !== 'user') start++;
  return history.slice(start);
}
