import type { PacketReport } from './DelayBasedEstimator.ts';

/**
 * Whether a subscriber's link carries a higher rate, judged from the transport-wide feedback on
 * the packets sent while padding raised the rate for a moment (GCC's probe clusters): if they
 * arrived about as fast as they left, and few were lost, the link has that room. A link capped
 * below the rate spreads their arrivals out (the bottleneck queue) or drops them.
 *
 * Trying the next layer itself, as the node did before, costs the viewer when the link is too
 * slow: the switch starts on a keyframe that floods the queue, then the step back waits for
 * another, and a link between two layers froze for a fifth of the time. Padding costs only
 * the bytes, and a failed probe leaves the picture alone.
 *
 * Pure: send and arrival times come in, nothing reads a clock.
 */

export interface ProbeResult {
  ok: boolean;
  /** bit/s at which the cluster's packets left (the lost ones too) and arrived */
  sentBps: number;
  deliveredBps: number;
  lossRatio: number;
  packets: number;
}

/** arrivals at least this share of the sending rate mean the link kept up */
const DELIVERED_SHARE = 0.9;
/** more loss than this in the cluster is a queue overflowing (random loss is below it) */
const MAX_LOSS = 0.3;
/** fewer reported packets than this say nothing about a rate */
const MIN_PACKETS = 10;

export class ProbeCluster {
  /** bytes of the packets that arrived */
  private bytes = 0;
  private lostBytes = 0;
  private firstSend = Infinity;
  private lastSend = -Infinity;
  private firstArrival = Infinity;
  private lastArrival = -Infinity;
  /** bytes of the packet that arrived first: a rate counts what came after it */
  private firstArrivalSize = 0;
  private firstSendSize = 0;
  private received = 0;
  private lost = 0;
  /** a report on a packet sent after the cluster: the feedback has caught up with it */
  private passed = false;

  /** Packets sent (by the node's clock, ms) within [fromMs, toMs] make the cluster. */
  constructor(
    readonly fromMs: number,
    readonly toMs: number,
  ) {}

  add(reports: readonly PacketReport[]): void {
    for (const r of reports) {
      if (r.sendMs > this.toMs) this.passed = true;
      if (r.sendMs < this.fromMs || r.sendMs > this.toMs) continue;
      if (r.arrivalMs === undefined) {
        this.lost++;
        this.lostBytes += r.size;
        continue;
      }
      this.received++;
      this.bytes += r.size;
      if (r.sendMs < this.firstSend) {
        this.firstSend = r.sendMs;
        this.firstSendSize = r.size;
      }
      this.lastSend = Math.max(this.lastSend, r.sendMs);
      if (r.arrivalMs < this.firstArrival) {
        this.firstArrival = r.arrivalMs;
        this.firstArrivalSize = r.size;
      }
      this.lastArrival = Math.max(this.lastArrival, r.arrivalMs);
    }
  }

  /** The feedback has reported past the cluster's end: it can be judged. */
  get complete(): boolean {
    return this.passed;
  }

  result(): ProbeResult {
    const packets = this.received + this.lost;
    const lossRatio = packets ? this.lost / packets : 0;
    const sendSpan = this.lastSend - this.firstSend;
    const arrivalSpan = this.lastArrival - this.firstArrival;
    // the arrived packets' own sending rate against their arrival rate: random loss thins both
    const arrivedSentBps = sendSpan > 0 ? ((this.bytes - this.firstSendSize) * 8000) / sendSpan : 0;
    const sentBps = sendSpan > 0 ? ((this.bytes + this.lostBytes - this.firstSendSize) * 8000) / sendSpan : 0;
    const deliveredBps = arrivalSpan > 0 ? ((this.bytes - this.firstArrivalSize) * 8000) / arrivalSpan : 0;
    const ok =
      this.received >= MIN_PACKETS &&
      arrivedSentBps > 0 &&
      lossRatio <= MAX_LOSS &&
      deliveredBps >= DELIVERED_SHARE * arrivedSentBps;
    return { ok, sentBps, deliveredBps, lossRatio, packets };
  }
}
