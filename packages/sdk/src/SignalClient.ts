import {
  ErrorCode,
  LiveportError,
  TypedEmitter,
  type ClientMessageInput,
  type ServerMessage,
} from '@liveport/protocol/client';

type Reply = Extract<ServerMessage, { rid?: string }>;

export interface SignalEvents {
  [event: string]: unknown[];
  message: [ServerMessage];
  close: [code: number, reason: string];
}

/** the close code of a client that is about to join again: the node keeps its place meanwhile */
export const RECONNECTING_CLOSE = 4000;

/** A WebSocket-like constructor: the browser's, or `ws` in Node. */
export type WebSocketLike = new (url: string) => WebSocket;

/** The signaling connection: JSON frames, and requests matched to replies by `rid`. */
export class SignalClient extends TypedEmitter<SignalEvents> {
  private ws?: WebSocket;
  private nextRid = 1;
  private readonly waiting = new Map<string, { resolve: (m: Reply) => void; reject: (e: Error) => void }>();

  constructor(private readonly WebSocketImpl: WebSocketLike) {
    super();
  }

  open(url: string, timeoutMs = 10000): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new this.WebSocketImpl(url);
      this.ws = ws;
      const timer = setTimeout(() => {
        reject(
          new LiveportError(
            ErrorCode.INTERNAL,
            `no signaling connection to ${url} within ${timeoutMs} ms`,
            0,
          ),
        );
        ws.close();
      }, timeoutMs);
      ws.onopen = () => {
        clearTimeout(timer);
        resolve();
      };
      ws.onerror = () => undefined;
      ws.onclose = (ev: CloseEvent) => {
        clearTimeout(timer);
        reject(new LiveportError(ErrorCode.INTERNAL, `signaling connection to ${url} closed`, 0));
        for (const w of this.waiting.values())
          w.reject(new LiveportError(ErrorCode.INTERNAL, 'signaling closed', 0));
        this.waiting.clear();
        this.emit('close', ev.code, ev.reason);
      };
      ws.onmessage = (ev: MessageEvent) => this.receive(String(ev.data));
    });
  }

  private receive(text: string): void {
    let msg: ServerMessage;
    try {
      msg = JSON.parse(text) as ServerMessage;
    } catch {
      return;
    }
    const rid = 'rid' in msg ? msg.rid : undefined;
    const waiter = rid ? this.waiting.get(rid) : undefined;
    if (waiter && rid) {
      this.waiting.delete(rid);
      if (msg.type === 'error') waiter.reject(new LiveportError(msg.code, msg.message, 0));
      else waiter.resolve(msg as Reply);
      // Replies that also carry room state (joined) are still announced.
      if (msg.type !== 'joined') return;
    }
    this.emit('message', msg);
  }

  send(msg: ClientMessageInput): void {
    if (this.ws?.readyState === 1) this.ws.send(JSON.stringify(msg));
  }

  /** Send a request and wait for its reply (or its error, thrown as LiveportError). */
  request<T extends Reply['type']>(
    msg: ClientMessageInput,
    timeoutMs = 10000,
  ): Promise<Extract<Reply, { type: T }>> {
    const rid = String(this.nextRid++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(rid);
        reject(new LiveportError(ErrorCode.INTERNAL, `no reply to ${msg.type} within ${timeoutMs} ms`, 0));
      }, timeoutMs);
      this.waiting.set(rid, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<Reply, { type: T }>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.send({ ...msg, rid } as ClientMessageInput);
    });
  }

  /** 1000 tells the node this client is gone; RECONNECTING_CLOSE that it is coming back. */
  close(code = 1000): void {
    this.ws?.close(code);
  }
}
