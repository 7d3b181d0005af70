// Janus, the C SFU the fan-out bench compares against: installed from Debian when missing,
// started with its own config folder in a temp dir (VideoRoom plugin and HTTP transport only,
// everything on 127.0.0.1), and driven through its HTTP API.
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const JANUS_BIN = '/usr/bin/janus';
const LIB = '/usr/lib/x86_64-linux-gnu/janus';

/** Install Debian's janus the way scripts/test.mjs installs chromium: only when it is missing. */
export function ensureJanus(): void {
  if (existsSync(JANUS_BIN)) return;
  console.log('installing from Debian: janus');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execSync('apt-get update -qq', { stdio: 'inherit', env });
  execSync('apt-get install -y -qq --no-install-recommends janus', { stdio: 'inherit', env });
}

/** Every .so in a Debian folder except the ones kept: Janus loads all it finds unless disabled. */
function allBut(folder: string, keep: string): string {
  return readdirSync(join(LIB, folder))
    .filter((f) => f.endsWith('.so') && f !== keep)
    .join(',');
}

export interface JanusOptions {
  httpPort: number;
  rtpPortMin: number;
  rtpPortMax: number;
  /** the only address Janus gathers candidates on: it never uses a loopback-flagged device */
  iceAddress: string;
}

export class JanusServer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly url: string,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async start(options: JanusOptions): Promise<JanusServer> {
    ensureJanus();
    const dir = mkdtempSync(join(tmpdir(), 'liveport-janus-'));
    writeFileSync(
      join(dir, 'janus.jcfg'),
      `general: {
  configs_folder = "${dir}"
  plugins_folder = "${LIB}/plugins"
  transports_folder = "${LIB}/transports"
  events_folder = "${LIB}/events"
  loggers_folder = "${LIB}/loggers"
  debug_level = 3
  session_timeout = 0
}
media: {
  rtp_port_range = "${options.rtpPortMin}-${options.rtpPortMax}"
}
nat: {
  ice_enforce_list = "${options.iceAddress}"
  ignore_mdns = true
}
plugins: { disable = "${allBut('plugins', 'libjanus_videoroom.so')}" }
transports: { disable = "${allBut('transports', 'libjanus_http.so')}" }
events: { broadcast = false }
loggers: { disable = "${allBut('loggers', '')}" }
`,
    );
    writeFileSync(
      join(dir, 'janus.transport.http.jcfg'),
      `general: {
  json = "compact"
  base_path = "/janus"
  http = true
  port = ${options.httpPort}
  ip = "127.0.0.1"
  https = false
}
admin: { admin_http = false }
`,
    );
    writeFileSync(join(dir, 'janus.plugin.videoroom.jcfg'), 'general: {\n}\n');
    const child = spawn(
      JANUS_BIN,
      ['-F', dir, '-C', join(dir, 'janus.jcfg'), '-o', '-L', join(dir, 'janus.log')],
      {
        // its own folder as working directory: a crash on shutdown dumps core there, not in the repo
        cwd: dir,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = `http://127.0.0.1:${options.httpPort}/janus`;
    const server = new JanusServer(child, dir, url);
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) throw new Error(`janus exited (${child.exitCode}): ${stderr}`);
      try {
        const info = await fetch(`${url}/info`);
        if (info.ok) return server;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    await server.stop();
    throw new Error(`janus did not answer on ${url}: ${stderr}`);
  }

  logPath(): string {
    return join(this.dir, 'janus.log');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface Jsep {
  type: 'offer' | 'answer';
  sdp: string;
}

interface JanusReply {
  janus: string;
  transaction?: string;
  sender?: number;
  data?: { id: number };
  error?: { code: number; reason: string };
  plugindata?: { plugin: string; data: Record<string, unknown> };
  jsep?: Jsep;
}

export interface PluginEvent {
  data: Record<string, unknown>;
  jsep?: Jsep;
}

/**
 * One Janus API session over HTTP: requests are POSTs; the replies of asynchronous plugin
 * requests arrive on a long poll, matched to their request by transaction id.
 */
export class JanusSession {
  private nextTransaction = 1;
  private readonly waiting = new Map<
    string,
    { resolve: (e: PluginEvent) => void; reject: (e: Error) => void }
  >();
  private polling = true;

  private constructor(
    private readonly url: string,
    readonly id: number,
  ) {
    void this.poll();
  }

  static async create(url: string): Promise<JanusSession> {
    const reply = await post(url, { janus: 'create', transaction: 'create' });
    return new JanusSession(`${url}/${reply.data!.id}`, reply.data!.id);
  }

  async attach(plugin: string): Promise<JanusHandle> {
    const reply = await post(this.url, { janus: 'attach', plugin, transaction: this.transaction() });
    return new JanusHandle(this, reply.data!.id);
  }

  transaction(): string {
    return `t${this.nextTransaction++}`;
  }

  /** A plugin request answered at once (create a room, list participants). */
  async request(handle: number, body: object): Promise<Record<string, unknown>> {
    const reply = await post(`${this.url}/${handle}`, {
      janus: 'message',
      body,
      transaction: this.transaction(),
    });
    const data = reply.plugindata?.data;
    if (!data || data.error) throw new Error(`janus: ${JSON.stringify(data ?? reply)}`);
    return data;
  }

  /** A plugin request whose answer (and SDP) comes later as an event. */
  send(handle: number, body: object, jsep?: object, timeoutMs = 15000): Promise<PluginEvent> {
    const transaction = this.transaction();
    return new Promise<PluginEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(transaction);
        reject(new Error(`janus: no answer to ${JSON.stringify(body)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(transaction, {
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      post(`${this.url}/${handle}`, { janus: 'message', body, transaction, ...(jsep && { jsep }) }).catch(
        (err: Error) => this.settle(transaction, err),
      );
    });
  }

  private settle(transaction: string, outcome: PluginEvent | Error): void {
    const waiter = this.waiting.get(transaction);
    if (!waiter) return;
    this.waiting.delete(transaction);
    if (outcome instanceof Error) waiter.reject(outcome);
    else waiter.resolve(outcome);
  }

  private async poll(): Promise<void> {
    while (this.polling) {
      let events: JanusReply[];
      try {
        const res = await fetch(`${this.url}?maxev=20`);
        const body = (await res.json()) as JanusReply | JanusReply[];
        events = Array.isArray(body) ? body : [body];
      } catch {
        if (!this.polling) return;
        await sleep(100);
        continue;
      }
      for (const e of events) {
        if (e.janus !== 'event' || !e.transaction) continue;
        const data = e.plugindata?.data ?? {};
        if (data.error) this.settle(e.transaction, new Error(`janus: ${JSON.stringify(data)}`));
        else this.settle(e.transaction, { data, jsep: e.jsep });
      }
    }
  }

  async destroy(): Promise<void> {
    this.polling = false;
    await post(this.url, { janus: 'destroy', transaction: this.transaction() }).catch(() => undefined);
  }
}

export class JanusHandle {
  constructor(
    private readonly session: JanusSession,
    readonly id: number,
  ) {}

  request(body: object): Promise<Record<string, unknown>> {
    return this.session.request(this.id, body);
  }

  send(body: object, jsep?: object): Promise<PluginEvent> {
    return this.session.send(this.id, body, jsep);
  }
}

async function post(url: string, body: object): Promise<JanusReply> {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
  const reply = (await res.json()) as JanusReply;
  if (reply.janus === 'error') throw new Error(`janus: ${reply.error?.reason ?? JSON.stringify(reply)}`);
  return reply;
}
