import WebSocket from 'ws';
import type { ChatClientMessage, ChatServerEvent, ChatServerMessage } from '@liveport/protocol';

type Welcome = Extract<ChatServerMessage, { type: 'welcome' }>;

/** A bare chat client for tests: records every frame, waits for the ones a test expects. */
export class TestChatClient {
  readonly frames: ChatServerMessage[] = [];
  welcome?: Welcome;
  private waiters: { match: (m: ChatServerMessage) => boolean; resolve: (m: ChatServerMessage) => void }[] =
    [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as ChatServerMessage;
      if (msg.type === 'welcome') this.welcome = msg;
      this.frames.push(msg);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(msg)) return true;
        w.resolve(msg);
        return false;
      });
    });
  }

  static async connect(url: string, hello: Omit<Extract<ChatClientMessage, { type: 'hello' }>, 'type'> = {}) {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/chat`);
    const client = new TestChatClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const welcome = client.next((m) => m.type === 'welcome' || m.type === 'error');
    client.send({ type: 'hello', ...hello });
    const first = await welcome;
    if (first.type === 'error') throw Object.assign(new Error(first.message), { code: first.code });
    return client;
  }

  send(msg: ChatClientMessage | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(msg));
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** the next frame (including one already received and not yet matched) that matches */
  next(match: (m: ChatServerMessage) => boolean, timeoutMs = 10_000): Promise<ChatServerMessage> {
    const seen = this.frames.find(match);
    if (seen && !this.consumed.has(seen)) {
      this.consumed.add(seen);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a chat frame')), timeoutMs);
      this.waiters.push({
        match: (m) => match(m) && !this.consumed.has(m),
        resolve: (m) => {
          clearTimeout(timer);
          this.consumed.add(m);
          resolve(m);
        },
      });
    });
  }

  private readonly consumed = new Set<ChatServerMessage>();

  events(): ChatServerEvent[] {
    return this.frames.filter((f): f is ChatServerEvent => 'seq' in f && f.type !== 'welcome');
  }

  lastSeq(): number {
    return this.events().reduce((max, e) => Math.max(max, e.seq), 0);
  }

  /** assistant replies finished since the start */
  replies(): string[] {
    return this.events().flatMap((e) => (e.type === 'message_end' && e.role === 'assistant' ? [e.text] : []));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
