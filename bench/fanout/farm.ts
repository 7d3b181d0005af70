// The bench's side of the receivers process (receivers.ts): answer offers, read counters.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FarmReply, FarmRequest, ReceiverStats } from './receivers.ts';

export type { ReceiverStats };

export class ReceiverFarm {
  private readonly child: ChildProcess;
  private readonly answers = new Map<string, (r: Extract<FarmReply, { op: 'answer' }>) => void>();
  private statsWaiters: ((r: Extract<FarmReply, { op: 'stats' }>) => void)[] = [];
  private closedWaiters: (() => void)[] = [];

  /** @param bindAddress the address receivers gather their one candidate on */
  constructor(private readonly bindAddress = '127.0.0.1') {
    this.child = fork(fileURLToPath(new URL('./receivers.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (msg: FarmReply) => {
      if (msg.op === 'answer') {
        this.answers.get(msg.id)?.(msg);
        this.answers.delete(msg.id);
      } else if (msg.op === 'stats') {
        this.statsWaiters.splice(0).forEach((w) => w(msg));
      } else {
        this.closedWaiters.splice(0).forEach((w) => w());
      }
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  private send(msg: FarmRequest): void {
    this.child.send(msg);
  }

  /** The SDP answer of receiver `id` (created on first use) to an SFU's offer. */
  answer(id: string, offer: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.answers.set(id, (r) => (r.sdp ? resolve(r.sdp) : reject(new Error(r.error ?? 'no answer'))));
      this.send({ op: 'answer', id, offer, bindAddress: this.bindAddress });
    });
  }

  stats(): Promise<{ receivers: Record<string, ReceiverStats>; cpuMicros: number }> {
    return new Promise((resolve) => {
      this.statsWaiters.push(resolve);
      this.send({ op: 'stats' });
    });
  }

  close(id: string): void {
    this.send({ op: 'close', id });
  }

  closeAll(): Promise<void> {
    return new Promise((resolve) => {
      this.closedWaiters.push(resolve);
      this.send({ op: 'closeAll' });
    });
  }

  stop(): void {
    this.child.disconnect();
  }
}
