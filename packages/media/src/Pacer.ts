/**
 * Spreads what the node sends one subscriber over time once its link has shown a limit. A
 * keyframe (and the cached group a new viewer starts from) is tens of kilobytes that the node
 * would otherwise write in one go; a bottleneck with a short queue drops its tail, and the
 * picture then waits a round trip for repairs. Paced at a multiple of the rate the link was
 * found to carry, the burst fits the queue.
 *
 * A token bucket: packets go at once while the budget allows and nothing waits, so an unpaced
 * link (no limit seen) and the steady flow cost nothing. The pacer only smooths: a packet that
 * has waited MAX_WAIT_MS goes regardless, so it never becomes a bottleneck of its own, and
 * audio is never held (it still spends the budget).
 */

/** bytes the bucket holds: this much time at the pacing rate, and at least a few packets */
const BURST_MS = 20;
const MIN_BURST_BYTES = 3 * 1200;
/** a packet held this long goes out whatever the budget */
const MAX_WAIT_MS = 250;
/** how often held packets are looked at */
const TICK_MS = 5;

interface Held {
  bytes: number;
  at: number;
  go: (nowMs: number) => void;
}

export class Pacer {
  private rateBps = Infinity;
  private tokens = MIN_BURST_BYTES;
  private refilledAt = 0;
  private readonly held: Held[] = [];
  private next = 0;
  private timer?: ReturnType<typeof setTimeout>;
  /** packets that had to wait, for the stats */
  delayed = 0;

  constructor(private readonly clock: () => number = () => performance.now()) {}

  /** bit/s to pace at; Infinity sends everything at once */
  get rate(): number {
    return this.rateBps;
  }

  setRate(bps: number): void {
    this.rateBps = bps > 0 ? bps : Infinity;
    if (this.rateBps === Infinity) this.flush();
  }

  /** Whether the pacer holds packets back at all now. */
  get limited(): boolean {
    return this.rateBps !== Infinity;
  }

  get queued(): number {
    return this.held.length - this.next;
  }

  /** Send `go` now if the budget allows and nothing waits, or when its turn comes. */
  submit(bytes: number, go: (nowMs: number) => void, urgent = false): void {
    const now = this.clock();
    this.refill(now);
    if (urgent || this.rateBps === Infinity || (this.queued === 0 && this.tokens >= bytes)) {
      this.tokens -= bytes;
      go(now);
      return;
    }
    this.delayed++;
    this.held.push({ bytes, at: now, go });
    this.schedule();
  }

  private burstBytes(): number {
    return Math.max(MIN_BURST_BYTES, (this.rateBps / 8) * (BURST_MS / 1000));
  }

  private refill(now: number): void {
    if (this.rateBps !== Infinity)
      this.tokens = Math.min(
        this.burstBytes(),
        this.tokens + ((now - this.refilledAt) * this.rateBps) / 8000,
      );
    this.refilledAt = now;
  }

  private schedule(): void {
    if (this.timer || this.queued === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, TICK_MS);
  }

  private drain(): void {
    const now = this.clock();
    this.refill(now);
    while (this.next < this.held.length) {
      const packet = this.held[this.next]!;
      if (this.tokens < packet.bytes && now - packet.at < MAX_WAIT_MS && this.rateBps !== Infinity) break;
      this.tokens -= packet.bytes;
      this.next++;
      packet.go(now);
    }
    if (this.next === this.held.length) {
      this.held.length = 0;
      this.next = 0;
    }
    this.schedule();
  }

  /** Send everything held now (the limit went away). */
  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.drain();
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.held.length = 0;
    this.next = 0;
  }
}
