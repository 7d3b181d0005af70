/**
 * What one subscriber's link carries, from transport-wide congestion control feedback: for
 * every packet the node sent, when it left and when (or whether) it arrived.
 *
 * A full link shows first as a queue: packets wait longer and longer at the bottleneck before
 * any are dropped. Random loss (a radio, a long lossy route) drops packets with no queue at
 * all. So the signal here is delay, not loss: the one-way delay (arrival minus send time, off
 * by an unknown constant between the two clocks) against its floor, the lowest delay seen
 * lately, which is the empty-queue path.
 *
 * A single slow packet proves nothing: jitter, a retransmission or a repair copy arriving in
 * place of a lost original, and above all the burst of a keyframe, which queues briefly even on
 * a link that carries the average with room to spare. A link that is really too slow keeps a
 * queue that never drains. So, like CoDel, the judge is the *lowest* delay over an interval
 * longer than such a burst: when even that stands well above the floor, the queue is standing
 * and the sender must slow down, unless its slope (the arrival-time gradient, GCC's trendline
 * signal) shows it draining: then it is a burst the link is working off.
 *
 * Pure: times come in, nothing is read from a clock, so tests feed it synthetic timelines.
 */

/** One packet the feedback reports: its send record and its arrival, undefined when lost. */
export interface PacketReport {
  /** sender's clock, ms */
  sendMs: number;
  /** receiver's clock (any origin), ms; undefined: reported lost */
  arrivalMs: number | undefined;
  /** bytes on the wire */
  size: number;
}

export type BandwidthUsage = 'normal' | 'overuse';

/** the minimum delay over this much send time judges the queue: longer than a keyframe's burst */
const STANDING_MS = 500;
/** a standing queue this far above the floor means the link is full */
const OVERUSE_QUEUE_MS = 40;
/** ... and it counts as drained again below this */
const NORMAL_QUEUE_MS = 20;
/**
 * a queue draining faster than this (ms per second) is a burst the link is working off, not
 * overuse: a large keyframe (with its repair copies) can take a second or two to drain
 */
const DRAINING_MS_PER_S = -50;
/** the floor is the lowest delay over this long (a route change moves it; clocks drift slowly) */
const FLOOR_MS = 20_000;
const FLOOR_BUCKET_MS = 1000;
/** received bytes over this much arrival time make one rate measurement */
const RATE_WINDOW_MS = 1000;
/** on overuse the link is taken to carry this share of what arrived (GCC's beta) */
const BACKOFF = 0.85;
/**
 * the ceiling found at an overuse holds this long: only a probe (padding up to the next layer's
 * rate, or a try of that layer) shows that the link has room again, and GCC's slow rise would be
 * blind here; as long as the longest wait after a failed try (LayerController's backoff)
 */
const CEILING_MEMORY_MS = 8000;
/** feedback older than this no longer speaks for the link */
const STALE_MS = 2000;
/** samples kept for the standing-queue window: a few seconds of a fast stream */
const RING = 4096;

export class DelayBasedEstimator {
  usage: BandwidthUsage = 'normal';
  /** the lowest delay of the last STANDING_MS over the floor, ms */
  queueDelayMs = 0;
  /** how fast that queue grows (positive) or drains, ms per second */
  trendMsPerS = 0;
  /** bit/s that reached the receiver over the last window */
  ackedBps = 0;
  /** smoothed fraction of reported packets lost (random loss included; after repair copies) */
  lossRatio = 0;
  /** bit/s the link was found to carry at the last overuse; Infinity: none lately */
  ceilingBps = Infinity;
  /** `now` of the last feedback, for staleness */
  private lastFeedbackAt = -Infinity;
  private readonly sendTimes = new Float64Array(RING);
  private readonly delays = new Float64Array(RING);
  private head = 0;
  private count = 0;
  /** lowest delay per FLOOR_BUCKET_MS of send time, newest last */
  private floorBuckets: { start: number; min: number }[] = [];
  private rateBytes = 0;
  private rateFrom = -Infinity;
  private rateTo = -Infinity;
  private lastOveruseAt = -Infinity;
  private previousQueue?: { at: number; delay: number };
  /** consecutive looks at the queue that found it above OVERUSE_QUEUE_MS */
  private looksAbove = 0;

  /** Feedback reached the node at `nowMs` (its clock, ms) about these packets. */
  onFeedback(packets: readonly PacketReport[], nowMs: number): void {
    let lost = 0;
    for (const p of packets) {
      if (p.arrivalMs === undefined) {
        lost++;
        continue;
      }
      this.addSample(p.sendMs, p.arrivalMs - p.sendMs);
      this.countRate(p.arrivalMs, p.size);
    }
    if (packets.length) this.lossRatio = 0.8 * this.lossRatio + 0.2 * (lost / packets.length);
    if (this.usage === 'normal' && nowMs - this.lastOveruseAt > CEILING_MEMORY_MS) this.ceilingBps = Infinity;
    this.lastFeedbackAt = nowMs;
    this.judge(nowMs);
  }

  /** Whether feedback came recently enough to stand for the link. */
  isLive(nowMs: number): boolean {
    return nowMs - this.lastFeedbackAt < STALE_MS;
  }

  /** Best single figure for what the link carries, bit/s (0 until measured). */
  get estimateBps(): number {
    return Number.isFinite(this.ceilingBps) ? Math.round(this.ceilingBps) : this.ackedBps;
  }

  private addSample(sendMs: number, delay: number): void {
    this.sendTimes[this.head] = sendMs;
    this.delays[this.head] = delay;
    this.head = (this.head + 1) % RING;
    this.count = Math.min(RING, this.count + 1);
    const start = Math.floor(sendMs / FLOOR_BUCKET_MS) * FLOOR_BUCKET_MS;
    const buckets = this.floorBuckets;
    const last = buckets[buckets.length - 1];
    if (last && last.start === start) last.min = Math.min(last.min, delay);
    else if (!last || start > last.start) {
      buckets.push({ start, min: delay });
      while (buckets.length && buckets[0]!.start <= start - FLOOR_MS) buckets.shift();
    } else {
      // a late report about an older packet: it still lowers the floor where it belongs
      const older = buckets.find((b) => b.start === start);
      if (older) older.min = Math.min(older.min, delay);
    }
  }

  private countRate(arrivalMs: number, size: number): void {
    if (arrivalMs < this.rateFrom) return; // reordered into a closed window
    if (this.rateFrom === -Infinity) this.rateFrom = arrivalMs;
    this.rateBytes += size;
    this.rateTo = Math.max(this.rateTo, arrivalMs);
    const span = this.rateTo - this.rateFrom;
    if (span >= RATE_WINDOW_MS) {
      this.ackedBps = Math.round((this.rateBytes * 8000) / span);
      this.rateBytes = 0;
      this.rateFrom = this.rateTo;
    }
  }

  private judge(nowMs: number): void {
    if (this.count === 0) return;
    const newest = this.sendTimes[(this.head - 1 + RING) % RING]!;
    // lowest delay over the last STANDING_MS of send time, and the oldest send time looked at
    let recent = Infinity;
    let oldest = newest;
    for (let i = 1; i <= this.count; i++) {
      const k = (this.head - i + RING) % RING;
      const sent = this.sendTimes[k]!;
      if (newest - sent > STANDING_MS) break;
      oldest = Math.min(oldest, sent);
      recent = Math.min(recent, this.delays[k]!);
    }
    // too short a view yet to tell a burst from a standing queue
    if (newest - oldest < STANDING_MS * 0.8) return;
    let floor = Infinity;
    for (const b of this.floorBuckets) floor = Math.min(floor, b.min);
    this.queueDelayMs = Math.max(0, recent - floor);
    // the slope between looks at the queue half a window apart; a burst's queue rises at once
    // and then drains, so overuse needs the queue up at two looks and not draining at the last
    const previous = this.previousQueue;
    if (!previous || newest - previous.at >= STANDING_MS / 2) {
      if (previous) this.trendMsPerS = ((this.queueDelayMs - previous.delay) * 1000) / (newest - previous.at);
      this.previousQueue = { at: newest, delay: this.queueDelayMs };
      this.looksAbove = this.queueDelayMs > OVERUSE_QUEUE_MS ? this.looksAbove + 1 : 0;
    }

    if (this.looksAbove >= 2 && this.trendMsPerS > DRAINING_MS_PER_S) {
      // a bottleneck with a queue delivers at its own rate: a little under that is safe (and
      // while the queue stands, the ceiling only comes down)
      if (this.ackedBps > 0)
        this.ceilingBps =
          this.usage === 'overuse'
            ? Math.min(this.ceilingBps, BACKOFF * this.ackedBps)
            : BACKOFF * this.ackedBps;
      this.usage = 'overuse';
      this.lastOveruseAt = nowMs;
    } else if (this.queueDelayMs < NORMAL_QUEUE_MS) {
      this.usage = 'normal';
    }
  }
}
