// The Liveport side of the fan-out bench: the node as a child process of its own (so its CPU
// is read from /proc exactly like Janus's), and viewers that speak the signaling protocol
// but hand the media to the receivers process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
// the token module alone: the bench needs no more of the server than the node process runs
import { mintToken } from '../../packages/server/src/token.ts';
import { PROTOCOL_VERSION, type GrantsInput, type ServerMessage } from '@liveport/protocol';
import type { ReceiverFarm } from './farm.ts';

const CLI = fileURLToPath(new URL('../../packages/server/bin/liveport.js', import.meta.url));
const API_KEY = 'fanout';
const API_SECRET = 'fanout-bench-secret-not-for-production';

export interface LiveportOptions {
  port: number;
  rtcPortMin: number;
  rtcPortMax: number;
  /** write a V8 CPU profile of the node into this folder when it stops */
  cpuProfileDir?: string;
}

export class LiveportProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dataDir: string,
    readonly url: string,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async start(options: LiveportOptions): Promise<LiveportProcess> {
    const dataDir = mkdtempSync(join(tmpdir(), 'liveport-fanout-'));
    const args = [
      ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
      CLI,
      'start',
      '--host=127.0.0.1',
      `--port=${options.port}`,
      '--bind-address=127.0.0.1',
      `--rtc-port-min=${options.rtcPortMin}`,
      `--rtc-port-max=${options.rtcPortMax}`,
      `--data-dir=${dataDir}`,
      '--no-demo',
    ];
    const child = spawn(process.execPath, args, {
      env: { ...process.env, LIVEPORT_API_KEY: API_KEY, LIVEPORT_API_SECRET: API_SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const node = new LiveportProcess(child, dataDir, `http://127.0.0.1:${options.port}`);
    for (let i = 0; i < 300 && !output.includes('listening on'); i++) {
      if (child.exitCode !== null) throw new Error(`liveport exited (${child.exitCode}): ${output}`);
      await sleep(100);
    }
    if (!output.includes('listening on')) {
      await node.stop();
      throw new Error(`liveport did not start: ${output}`);
    }
    return node;
  }

  token(identity: string, grants: Partial<GrantsInput> = {}): string {
    return mintToken({
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      identity,
      grants: { room: 'fanout', join: true, subscribe: true, publish: [], ...grants },
    });
  }

  /**
   * Packets the node received from `identity` on its top video layer and its audio, from the
   * REST stats: with what the publisher sent, this says whether packets were lost on the way
   * in or on the way out.
   */
  async receivedFrom(identity: string, room = 'fanout'): Promise<number> {
    const auth = Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64');
    const res = await fetch(`${this.url}/api/rooms/${room}/participants/${identity}/stats`, {
      headers: { authorization: `Basic ${auth}` },
    });
    if (!res.ok) return 0;
    const { stats } = (await res.json()) as {
      stats: { published: { kind: string; layers: { packetsReceived: number }[] }[] };
    };
    let packets = 0;
    for (const track of stats.published)
      packets += track.layers[track.layers.length - 1]?.packetsReceived ?? 0;
    return packets;
  }

  /** SIGTERM: the node closes its rooms and exits, which is also when V8 writes the profile. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await Promise.race([exited, sleep(10000)]);
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * A subscriber that joins over the real signaling WebSocket, answers the node's offers with
 * a receiver from the farm, and pings like the SDK so the node keeps it.
 */
export class LiveportViewer {
  private pingTimer?: ReturnType<typeof setInterval>;

  private constructor(
    private readonly ws: WebSocket,
    readonly id: string,
  ) {}

  /** Resolves once the first offer that carries media has been answered. */
  static join(url: string, token: string, id: string, farm: ReceiverFarm): Promise<LiveportViewer> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/rtc`);
    const viewer = new LiveportViewer(ws, id);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`viewer ${id}: no media offer within 20 s`)), 20000);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'join', token, protocol: PROTOCOL_VERSION })));
      ws.on('error', (err) => reject(err));
      ws.on('message', (data: Buffer) => {
        const msg = JSON.parse(data.toString()) as ServerMessage;
        if (msg.type === 'joined') {
          viewer.pingTimer = setInterval(
            () => ws.send(JSON.stringify({ type: 'ping', t: Date.now() })),
            msg.pingIntervalSec * 1000,
          );
        } else if (msg.type === 'offer') {
          const media = /^m=(audio|video)/m.test(msg.sdp);
          farm.answer(id, msg.sdp).then(
            (sdp) => {
              ws.send(JSON.stringify({ type: 'answer', sdp }));
              if (media) {
                clearTimeout(timer);
                resolve(viewer);
              }
            },
            (err: Error) => reject(err),
          );
        } else if (msg.type === 'error') {
          reject(new Error(`viewer ${id}: ${msg.code} ${msg.message}`));
        }
      });
    });
  }

  leave(): void {
    clearInterval(this.pingTimer);
    this.ws.close();
  }
}
