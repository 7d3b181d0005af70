import WebSocket from 'ws';
import type { DeskClientMessage, DeskServerMessage, StaffInfo } from '@liveport/protocol';

type Welcome = Extract<DeskServerMessage, { type: 'welcome' }>;

export interface DeskLogin {
  token: string;
  staff: StaffInfo;
  expiresAt: number;
}

/** POST /api/desk/login; throws with the error's code and status when it fails. */
export async function deskLogin(url: string, email: string, password: string): Promise<DeskLogin> {
  const res = await fetch(`${url}/api/desk/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.json()) as DeskLogin & { error?: { code: string; message: string } };
  if (!res.ok) {
    throw Object.assign(new Error(body.error?.message ?? `login failed with ${res.status}`), {
      code: body.error?.code,
      status: res.status,
    });
  }
  return body;
}

/**
 * A bare agent console for tests and benchmarks: one socket at /desk, every frame recorded
 * (with the time it arrived), and a way to wait for the one a test expects.
 */
export class TestDeskClient {
  readonly frames: DeskServerMessage[] = [];
  /** arrival time (performance.now()) of each frame, same index as `frames` */
  readonly arrivals: number[] = [];
  welcome?: Welcome;
  private waiters: { match: (m: DeskServerMessage) => boolean; resolve: (m: DeskServerMessage) => void }[] =
    [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as DeskServerMessage;
      if (msg.type === 'welcome') this.welcome = msg;
      this.frames.push(msg);
      this.arrivals.push(performance.now());
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(msg)) return true;
        w.resolve(msg);
        return false;
      });
    });
  }

  /** Opens /desk and says hello with the session token; resolves on `welcome`, rejects on an error. */
  static async connect(url: string, token: string): Promise<TestDeskClient> {
    const client = await TestDeskClient.open(url);
    const answer = client.waitFor((m) => m.type === 'welcome' || m.type === 'error');
    client.send({ type: 'hello', token });
    const first = await answer;
    if (first.type === 'error') {
      await client.close();
      throw Object.assign(new Error(first.message), { code: first.code });
    }
    return client;
  }

  /** Opens /desk without saying hello (to test what a console may do before it). */
  static async open(url: string): Promise<TestDeskClient> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/desk`);
    const client = new TestDeskClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  send(msg: DeskClientMessage | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(msg));
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /**
   * The first frame that matches, among those already received (from index `from`) or still
   * to come. Tests that expect a frame twice pass `from: client.frames.length` before acting.
   */
  waitFor(
    match: (m: DeskServerMessage) => boolean,
    options: { timeoutMs?: number; from?: number } = {},
  ): Promise<DeskServerMessage> {
    const seen = this.frames.slice(options.from ?? 0).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`timed out waiting for a desk frame; got ${this.frames.map((f) => f.type).join(',')}`),
          ),
        options.timeoutMs ?? 10_000,
      );
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** frames of one type, typed */
  ofType<T extends DeskServerMessage['type']>(type: T): Extract<DeskServerMessage, { type: T }>[] {
    return this.frames.filter((f): f is Extract<DeskServerMessage, { type: T }> => f.type === type);
  }

  /** the events of one watched conversation, in the order they arrived */
  conversationFrames(conversationId: string): Extract<DeskServerMessage, { type: 'conversation' }>[] {
    return this.ofType('conversation').filter((f) => f.conversationId === conversationId);
  }

  /** the highest seq seen of a conversation (0 when none): what a reconnect's `watch` sends */
  lastSeq(conversationId: string): number {
    return this.conversationFrames(conversationId).reduce((max, f) => Math.max(max, f.event.seq), 0);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
