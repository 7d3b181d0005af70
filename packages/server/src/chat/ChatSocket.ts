import type { WebSocket } from 'ws';
import {
  ErrorCode,
  LiveportError,
  parseChatMessage,
  type ChatClientMessage,
  type ChatServerMessage,
} from '@liveport/protocol';
import type { AgentService, LiveConversation, VoiceEvent } from '@liveport/agent';

const HELLO_TIMEOUT_MS = 10_000;

/** How a chat turns into a call with the voice agent (the node knows rooms and tokens). */
export interface VoiceDoor {
  start(conversation: LiveConversation): { room: string; token: string; identity: string };
  stop(conversation: LiveConversation): void;
  /** the agent's state, for the Talk button; returns the unsubscribe */
  watch(conversation: LiveConversation, listener: (event: VoiceEvent) => void): (() => void) | undefined;
}

/** How a chat asks for a video consultation with a clerk (VideoConsults). */
export interface ConsultDoor {
  handles(action: string): boolean;
  act(conversation: LiveConversation, clientId: string, action: string, values: Record<string, string>): void;
  /** this socket hears the consultation's `consult` frames; returns the detach */
  attach(
    conversationId: string,
    sink: (frame: Extract<ChatServerMessage, { type: 'consult' }>) => void,
  ): () => void;
}

/**
 * One customer's chat connection: the first frame must be `hello`; after it the socket
 * receives the conversation's events and forwards the customer's messages and clicks.
 * Garbage gets an error frame and changes nothing; the socket stays open.
 */
export class ChatSocket {
  private conversation?: LiveConversation;
  private unsubscribe?: () => void;
  private readonly helloTimer: ReturnType<typeof setTimeout>;
  private stopWatching?: () => void;
  private detachConsult?: () => void;

  constructor(
    private readonly ws: WebSocket,
    private readonly agent: AgentService,
    /** who is sending, for rate limits (the client's address) */
    private readonly sender: string,
    private readonly voice?: VoiceDoor,
    private readonly consults?: ConsultDoor,
  ) {
    this.helloTimer = setTimeout(() => ws.close(4000, 'no hello'), HELLO_TIMEOUT_MS);
    ws.on('message', (data, isBinary) => {
      if (isBinary)
        return this.send({
          type: 'error',
          code: ErrorCode.MESSAGE_INVALID,
          message: 'binary frames are not accepted',
        });
      const parsed = parseChatMessage(data as Buffer);
      if (!parsed.ok) return this.send({ type: 'error', code: parsed.code, message: parsed.message });
      try {
        this.handle(parsed.message);
      } catch (err) {
        this.fail(err);
      }
    });
    ws.on('close', () => this.close());
    ws.on('error', () => this.close());
  }

  private handle(msg: ChatClientMessage): void {
    if (msg.type === 'ping') return this.send({ type: 'pong' });
    if (msg.type === 'hello') return this.hello(msg);
    const conversation = this.conversation;
    if (!conversation) throw new LiveportError(ErrorCode.NOT_JOINED, 'say hello first');
    if (msg.type === 'ack') return;
    if (!this.agent.allow(conversation.id, this.sender)) {
      return this.send({
        type: 'error',
        code: ErrorCode.RATE_LIMITED,
        message: 'too many messages; wait a moment',
        clientId: msg.clientId,
      });
    }
    if (msg.type === 'action' && (msg.action === 'voice_start' || msg.action === 'voice_stop')) {
      return this.voiceAction(conversation, msg.action);
    }
    if (msg.type === 'action' && this.consults?.handles(msg.action)) {
      return this.consults.act(conversation, msg.clientId, msg.action, msg.values);
    }
    const done =
      msg.type === 'message'
        ? conversation.customerMessage(msg.clientId, msg.text, msg.page)
        : conversation.action(msg.clientId, msg.action, msg.values);
    done.catch((err: unknown) => this.fail(err));
  }

  private hello(msg: Extract<ChatClientMessage, { type: 'hello' }>): void {
    if (this.conversation)
      throw new LiveportError(ErrorCode.ALREADY_JOINED, 'this socket already has a conversation');
    const { conversation, resumeToken } = this.agent.hello(msg);
    clearTimeout(this.helloTimer);
    this.conversation = conversation;
    // Replay and subscribe in one synchronous step, so no event falls between the two.
    const replay = conversation.replayAfter(msg.conversationId ? (msg.lastSeq ?? 0) : 0);
    this.send({
      type: 'welcome',
      conversationId: conversation.id,
      resumeToken,
      seq: conversation.record.lastSeq,
      brain: this.agent.brain(),
      disclosure: this.agent.disclosure(conversation.record.language),
    });
    for (const event of replay) this.send(event);
    this.unsubscribe = conversation.subscribe((event) => this.send(event));
    this.detachConsult = this.consults?.attach(conversation.id, (frame) => this.send(frame));
  }

  private voiceAction(conversation: LiveConversation, action: 'voice_start' | 'voice_stop'): void {
    if (!this.voice)
      return this.send({ type: 'voice', status: 'unavailable', message: 'voice is not offered here' });
    if (action === 'voice_stop') {
      this.voice.stop(conversation);
      this.stopWatching?.();
      this.stopWatching = undefined;
      return this.send({ type: 'voice', status: 'stopped' });
    }
    try {
      const call = this.voice.start(conversation);
      this.stopWatching?.();
      this.stopWatching = this.voice.watch(conversation, (event) =>
        this.send({
          type: 'voice_state',
          state: event.type,
          ...(event.type === 'thinking' && { transcript: event.transcript }),
          ...(event.type === 'interrupted' && { heard: event.heard }),
        }),
      );
      this.send({ type: 'voice', status: 'started', ...call });
    } catch (err) {
      if (err instanceof LiveportError)
        return this.send({ type: 'voice', status: 'unavailable', message: err.message });
      throw err;
    }
  }

  private fail(err: unknown): void {
    if (err instanceof LiveportError) {
      this.send({ type: 'error', code: err.code, message: err.message });
      return;
    }
    console.error('chat socket:', err);
    this.send({ type: 'error', code: ErrorCode.INTERNAL, message: 'internal error' });
  }

  private send(msg: ChatServerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private close(): void {
    clearTimeout(this.helloTimer);
    this.stopWatching?.();
    this.detachConsult?.();
    this.detachConsult = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}
