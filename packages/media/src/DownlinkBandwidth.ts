import { RtcpTransportLayerFeedback, TransportWideCC, type RTCRtpSender } from 'werift';
import { DelayBasedEstimator, type PacketReport } from './DelayBasedEstimator.ts';
import { readTransportFeedback } from './TransportFeedback.ts';
import { Pacer } from './Pacer.ts';
import { ProbeCluster, type ProbeResult } from './ProbeCluster.ts';

/**
 * Pacing rate over the rate the link was found to carry: enough to keep up with the flow and
 * drain a burst soon, little enough that a keyframe fits a short bottleneck queue.
 */
const PACING_FACTOR = 2;
/** a probe is judged without the feedback past its end after this long: that feedback is lost */
const PROBE_VERDICT_TIMEOUT_MS = 2000;
/** read once: Node's getter calls into C++ each time */
const TIME_ORIGIN = performance.timeOrigin;

/** A send record as werift's estimator keeps it (ForwardingSender writes the same shape). */
interface SentInfo {
  wideSeq: number;
  size: number;
  sentAtMs: number;
}

/**
 * One subscriber's downlink, as the node sees it from the transport-wide feedback of its
 * subscriber connection. The sequence numbers are shared by all the connection's senders, and
 * the receiver addresses each feedback message to one of them, so the send records of all are
 * searched: the feedback on any sender speaks for the whole transport.
 */
export class DownlinkBandwidth {
  readonly estimator = new DelayBasedEstimator();
  /** what goes down this link, spread at a multiple of its rate once a limit has shown */
  readonly pacer = new Pacer();
  private readonly senders = new Map<RTCRtpSender, () => void>();
  private readonly reports: PacketReport[] = [];
  private readonly listeners = new Set<() => void>();
  /** the link's round trip as the node measured it at the handshake, ms (undefined: not known) */
  roundTrip: () => number | undefined = () => undefined;
  private probing?: {
    cluster: ProbeCluster;
    done: (result: ProbeResult) => void;
    timer: ReturnType<typeof setTimeout>;
  };

  get roundTripMs(): number | undefined {
    return this.roundTrip();
  }

  /** Be told of every feedback message, after the estimate has taken it in; returns the unsubscribe. */
  watch(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  attach(sender: RTCRtpSender): void {
    if (this.senders.has(sender)) return;
    const off = sender.onRtcp.subscribe((packet) => {
      if (packet instanceof RtcpTransportLayerFeedback && packet.feedback instanceof TransportWideCC)
        this.onFeedback(packet.feedback);
    }).unSubscribe;
    this.senders.set(sender, off);
  }

  detach(sender: RTCRtpSender): void {
    this.senders.get(sender)?.();
    this.senders.delete(sender);
  }

  /** Whether recent feedback speaks for the link (clients without transport-cc send none). */
  get live(): boolean {
    return this.estimator.isLive(performance.now());
  }

  private onFeedback(feedback: TransportWideCC): void {
    const reports = this.reports;
    reports.length = 0;
    let arrivals;
    try {
      arrivals = readTransportFeedback(feedback);
    } catch {
      return; // a malformed message is ignored like a lost one
    }
    for (const { wideSeq, arrivalMs } of arrivals) {
      const sent = this.sentRecord(wideSeq);
      if (sent) reports.push({ sendMs: sent.sentAtMs, arrivalMs, size: sent.size });
    }
    if (reports.length) this.estimator.onFeedback(reports, performance.now());
    if (this.probing) {
      this.probing.cluster.add(reports);
      if (this.probing.cluster.complete) this.endProbe();
    }
    this.updatePacing();
    for (const listener of this.listeners) listener();
  }

  /**
   * Pace at a multiple of what the link is known to carry; not at all while no limit is known
   * (or feedback stopped). Known to carry: the rate at its last overuse, or what is arriving now
   * if more (a cap lifted: the pacer smooths bursts, it must not hold the stream to an old limit).
   */
  updatePacing(): void {
    const { ceilingBps, ackedBps } = this.estimator;
    const carried = Math.max(ceilingBps, ackedBps);
    this.pacer.setRate(this.live && Number.isFinite(ceilingBps) ? PACING_FACTOR * carried : Infinity);
  }

  /**
   * Judge the packets sent over the next `durationMs` as one probe cluster (the caller raises
   * the rate meanwhile); `done` gets the verdict once feedback has reported past them. False
   * when a probe of this link is already running (its down tracks share it).
   */
  probe(durationMs: number, done: (result: ProbeResult) => void): boolean {
    if (this.probing || !this.live) return false;
    // the send records' clock: wall-clock ms, as ForwardingSender writes them
    const from = Math.floor(TIME_ORIGIN + performance.now());
    const timer = setTimeout(() => this.endProbe(), durationMs + PROBE_VERDICT_TIMEOUT_MS);
    timer.unref();
    this.probing = { cluster: new ProbeCluster(from, from + durationMs), done, timer };
    return true;
  }

  get probeRunning(): boolean {
    return this.probing !== undefined;
  }

  private endProbe(): void {
    const probing = this.probing;
    if (!probing) return;
    this.probing = undefined;
    clearTimeout(probing.timer);
    probing.done(probing.cluster.result());
  }

  private sentRecord(wideSeq: number): SentInfo | undefined {
    for (const sender of this.senders.keys()) {
      // werift keeps the records private; ForwardingSender writes them there for this reason
      const records = (sender.senderBWE as unknown as { sentInfos: Record<number, SentInfo | undefined> })
        .sentInfos;
      const info = records[wideSeq];
      if (info) return info;
    }
    return undefined;
  }

  close(): void {
    for (const off of this.senders.values()) off();
    this.senders.clear();
    this.listeners.clear();
    if (this.probing) clearTimeout(this.probing.timer);
    this.probing = undefined;
    this.pacer.close();
  }
}
