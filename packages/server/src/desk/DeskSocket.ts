import type { WebSocket } from 'ws';
import {
  ErrorCode,
  LiveportError,
  parseDeskMessage,
  type DeskClientMessage,
  type DeskServerMessage,
} from '@liveport/protocol';
import { isDeskError } from '@liveport/desk';
import type { DeskConsole, DeskService } from './DeskService.ts';

const HELLO_TIMEOUT_MS = 10_000;

/**
 * One agent console's connection at `/desk`. The first frame must be `hello` with a session
 * token from POST /api/desk/login; a bad one gets an error and the socket is closed. After it
 * the console receives its agent's offers, inbox and queues, and the conversations it watches.
 * Garbage gets an error frame and changes nothing; the socket stays open.
 */
export class DeskSocket {
  private agentConsole?: DeskConsole;
  private readonly helloTimer: ReturnType<typeof setTimeout>;

  constructor(
    private readonly ws: WebSocket,
    private readonly desk: DeskService,
  ) {
    this.helloTimer = setTimeout(() => ws.close(4000, 'no hello'), HELLO_TIMEOUT_MS);
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        return this.send({
          type: 'error',
          code: ErrorCode.MESSAGE_INVALID,
          message: 'binary frames are not accepted',
        });
      }
      const parsed = parseDeskMessage(data as Buffer);
      if (!parsed.ok) return this.send({ type: 'error', code: parsed.code, message: parsed.message });
      try {
        this.handle(parsed.message);
      } catch (err) {
        this.fail(err, 'clientId' in parsed.message ? parsed.message.clientId : undefined);
      }
    });
    ws.on('close', () => this.close());
    ws.on('error', () => this.close());
  }

  private handle(msg: DeskClientMessage): void {
    if (msg.type === 'ping') return this.send({ type: 'pong' });
    if (msg.type === 'hello') return this.hello(msg.token, msg.device ?? 'console');
    const agentConsole = this.agentConsole;
    if (!agentConsole) throw new LiveportError(ErrorCode.NOT_JOINED, 'say hello with a session token first');
    const staffId = agentConsole.staffId;
    switch (msg.type) {
      case 'status':
        this.desk.setStatus(staffId, msg.status);
        return;
      case 'accept':
        return this.desk.accept(staffId, msg.itemId, agentConsole);
      case 'decline':
        return this.desk.decline(staffId, msg.itemId);
      case 'watch':
        return this.desk.watch(agentConsole, msg.conversationId, msg.lastSeq);
      case 'unwatch':
        return this.desk.unwatch(agentConsole, msg.conversationId);
      case 'reply':
        this.desk.reply(agentConsole, msg).catch((err: unknown) => this.fail(err, msg.clientId));
        return;
      case 'transfer':
        return this.desk.transfer(staffId, msg);
      case 'takeover':
        return this.desk.takeover(staffId, msg.conversationId);
      case 'handback':
        return this.desk.handback(staffId, msg.conversationId);
      case 'close':
        return this.desk.close(staffId, msg.conversationId);
      case 'record_consent':
        // The video consultation owns recording; without it there is nothing to consent to.
        if (!this.desk.recordings)
          throw new LiveportError(ErrorCode.BAD_REQUEST, 'no recording is waiting for consent');
        return this.desk.recordings.clerkConsents(staffId, msg.itemId);
    }
  }

  private hello(token: string, device: 'console' | 'phone'): void {
    if (this.agentConsole)
      throw new LiveportError(ErrorCode.ALREADY_JOINED, 'this console already said hello');
    let staffId: string;
    try {
      staffId = this.desk.staff.authenticate(token).id;
    } catch (err) {
      this.fail(err);
      this.ws.close(4001, 'session expired');
      return;
    }
    clearTimeout(this.helloTimer);
    const ws = this.ws;
    const agentConsole: DeskConsole = {
      staffId,
      device,
      sessionToken: token,
      send: (msg) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
      },
      end: (reason) => {
        this.send({ type: 'error', code: 'SESSION_EXPIRED', message: reason });
        ws.close(4001, 'session expired');
      },
    };
    this.agentConsole = agentConsole;
    this.send(this.desk.attach(agentConsole));
  }

  private fail(err: unknown, clientId?: string): void {
    if (err instanceof LiveportError || isDeskError(err)) {
      this.send({ type: 'error', code: err.code, message: err.message, ...(clientId && { clientId }) });
      return;
    }
    console.error('desk socket:', err);
    this.send({
      type: 'error',
      code: ErrorCode.INTERNAL,
      message: 'internal error',
      ...(clientId && { clientId }),
    });
  }

  private send(msg: DeskServerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private close(): void {
    clearTimeout(this.helloTimer);
    if (this.agentConsole) this.desk.detach(this.agentConsole);
    this.agentConsole = undefined;
  }
}
