import { perfectLink, validateConditions, type LinkConditions } from './LinkConditions.ts';

export interface LinkStats {
  packetsIn: number;
  packetsOut: number;
  bytesOut: number;
  lostRandom: number;
  lostQueue: number;
  reordered: number;
}

interface Scheduled {
  at: number;
  packet: Buffer;
}

/**
 * One direction of an emulated link: loss, then the bottleneck queue (rate and bounded
 * depth), then propagation delay with jitter and optional reordering. Packets leave in
 * arrival-time order through one timer, so thousands of packets a second cost one timer.
 */
export class LinkShaper {
  readonly stats: LinkStats = {
    packetsIn: 0,
    packetsOut: 0,
    bytesOut: 0,
    lostRandom: 0,
    lostQueue: 0,
    reordered: 0,
  };
  private conditions: LinkConditions;
  private badState = false;
  /** when the bottleneck finishes sending what is queued, ms (performance.now clock) */
  private bottleneckFreeAt = 0;
  private lastArrival = 0;
  private queue: Scheduled[] = [];
  private timer?: ReturnType<typeof setTimeout>;
  private timerAt = Infinity;
  private closed = false;

  constructor(
    conditions: Partial<LinkConditions>,
    private readonly deliver: (packet: Buffer) => void,
    private readonly random: () => number = Math.random,
  ) {
    validateConditions(conditions);
    this.conditions = { ...perfectLink, ...conditions };
  }

  get current(): LinkConditions {
    return { ...this.conditions };
  }

  /** Change conditions while running; packets already in flight keep their times. */
  set(conditions: Partial<LinkConditions>): void {
    validateConditions(conditions);
    this.conditions = { ...this.conditions, ...conditions };
    if ('burst' in conditions && !conditions.burst) this.badState = false;
  }

  push(packet: Buffer, now = performance.now()): void {
    if (this.closed) return;
    this.stats.packetsIn++;
    const c = this.conditions;
    if (this.lost()) {
      this.stats.lostRandom++;
      return;
    }
    let leaveBottleneck = now;
    if (c.bandwidthKbps > 0) {
      const start = Math.max(now, this.bottleneckFreeAt);
      if (start - now > c.queueMs) {
        this.stats.lostQueue++;
        return;
      }
      leaveBottleneck = start + (packet.length * 8) / c.bandwidthKbps; // kbit/s = bit/ms
      this.bottleneckFreeAt = leaveBottleneck;
    }
    let at = leaveBottleneck + c.delayMs + (c.jitterMs > 0 ? (this.random() * 2 - 1) * c.jitterMs : 0);
    if (c.reorder > 0 && this.random() < c.reorder) {
      at += Math.max(1, c.jitterMs) + 2; // held back so the next packets overtake it
      this.stats.reordered++;
    } else {
      at = Math.max(at, this.lastArrival); // jitter alone does not reorder a FIFO link
      this.lastArrival = at;
    }
    this.schedule({ at, packet });
  }

  private lost(): boolean {
    const c = this.conditions;
    if (c.burst) {
      const b = c.burst;
      const loss = this.badState ? b.lossBad : b.lossGood;
      const dropped = this.random() < loss;
      if (this.badState ? this.random() < b.pBadToGood : this.random() < b.pGoodToBad)
        this.badState = !this.badState;
      return dropped;
    }
    return c.loss > 0 && this.random() < c.loss;
  }

  private schedule(item: Scheduled): void {
    // Arrival times are nearly sorted: insert from the back.
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1]!.at > item.at) i--;
    this.queue.splice(i, 0, item);
    this.arm();
  }

  private arm(): void {
    const head = this.queue[0];
    if (!head || head.at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = head.at;
    this.timer = setTimeout(() => this.flush(), Math.max(0, head.at - performance.now()));
  }

  private flush(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now() + 0.5; // timers fire up to a millisecond early or late
    let sent = 0;
    while (this.queue.length && this.queue[sent]?.at !== undefined && this.queue[sent]!.at <= now) sent++;
    const due = this.queue.splice(0, sent);
    for (const { packet } of due) {
      this.stats.packetsOut++;
      this.stats.bytesOut += packet.length;
      this.deliver(packet);
    }
    this.arm();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.queue = [];
  }
}
