/**
 * Chooses the simulcast layer one subscriber receives of one track, from what its player
 * needs (size, visibility) and what its link carries. Where the subscriber sends transport-wide
 * feedback, congestion is a standing queue on its link (DelayBasedEstimator): random loss, which
 * no lower layer would cure, does not count. Without that feedback, congestion shows as loss in
 * the subscriber's receiver reports, or as a receiver estimate (REMB) below the layer's bitrate.
 * Headroom is found by padding the link up to the next layer's rate for a moment (ProbeCluster)
 * where the subscriber has transport-wide feedback and RTX, else by trying the next layer up;
 * either backs off when a try fails.
 */
export interface LayerCosts {
  /** bit/s of each layer, lowest first */
  costs: number[];
}

export interface LayerDecision {
  layer: number;
  reason: 'size' | 'bandwidth' | 'probe' | 'hidden' | 'start';
}

const TICK_MS = 500;
/** smoothed loss above this means the link is full, whatever the delay */
const LOSS_CONGESTED = 0.3;
/** lesser loss counts as congestion only with a queue building: RTT this far over its floor */
const LOSS_WITH_QUEUE = 0.08;
const QUEUE_RTT_MS = 60;
/** loss in one report that ends a try of a higher layer */
const PROBE_LOSS = 0.05;
const MIN_HOLD_MS = 1000;
/** a try of a higher layer is undone faster: it only costs while it lasts */
const PROBE_HOLD_MS = 500;
const PROBE_OK_MS = 3000;
const BACKOFF_MIN_MS = 2000;
const BACKOFF_MAX_MS = 8000;
/** with delay feedback, only loss this heavy still counts: the link is barely there at all */
const LOSS_LINK_FAILING = 0.5;
/**
 * a queue read within this long of a change is the change's own burst: the keyframe it starts
 * on (with its copies) can fill a short bottleneck buffer for most of a second, and after a
 * step down the old layer's queue still drains. Judged by delay, a try is judged after this.
 */
const DRAIN_MS = 2000;
/** how long a padding probe raises the rate: long enough for a capped link's queue to show */
const PADDING_PROBE_MS = 500;
/** a probe pads to this much over the layer above's cost, so that a pass leaves it room */
const PROBE_HEADROOM = 1.2;
/** a probe with no verdict after this long is forgotten (the down track went away meanwhile) */
const PROBE_STALE_MS = 5000;

/** Padding asked of the down track: this many bit/s over what it sends, for `durationMs`. */
export interface ProbeRequest {
  layer: number;
  extraBps: number;
  durationMs: number;
}

export class LayerController {
  /** highest layer the subscriber's player can use; -1 while hidden */
  maxBySize: number;
  /** highest layer the link seems to carry */
  byBandwidth: number;
  lossEwma = 0;
  /** last receiver estimate, bit/s (0 when the client sends none) */
  remb = 0;
  rttMs = 0;
  /** transport-wide feedback is live: congestion is judged by delay, not loss */
  delayKnown = false;
  /** a standing queue on the subscriber's link */
  overuse = false;
  /** bit/s the link was found to carry at its last overuse (Infinity: none seen) */
  ceiling = Infinity;
  private lastLoss = 0;
  /** the last step down undid a try of the layer above (the queue holds only a short burst) */
  lastDownWasProbe = false;
  private minRttMs = Infinity;
  private lastChangeAt = -Infinity;
  private probingSince = -Infinity;
  private backoffMs = BACKOFF_MIN_MS;
  /** the subscriber can be sent padding that its feedback reports (RTX and transport-wide cc) */
  paddingProbes = false;
  /** a padding probe to start; the down track takes it (and answers with onProbeResult) */
  probeWanted?: ProbeRequest;
  private paddingSince = -Infinity;
  /** padding probes of the layer above that passed / failed */
  probesPassed = 0;
  probesFailed = 0;

  constructor(layerCount: number) {
    this.maxBySize = layerCount - 1;
    // Start one below the top: fast to show, quick to climb on a good link.
    this.byBandwidth = Math.max(0, layerCount - 2);
  }

  static readonly tickMs = TICK_MS;

  /** the round trip stands well above its floor: a queue is building on the path */
  get queueing(): boolean {
    if (this.delayKnown) return this.overuse;
    return this.rttMs - this.minRttMs > QUEUE_RTT_MS;
  }

  get target(): number {
    if (this.maxBySize < 0) return -1;
    return Math.min(this.maxBySize, this.byBandwidth);
  }

  /** A receiver report's fraction lost (0..1) for this subscriber's stream. */
  onLoss(fraction: number): void {
    this.lossEwma = this.lossEwma * 0.7 + fraction * 0.3;
    this.lastLoss = fraction;
  }

  onRemb(bitrate: number): void {
    this.remb = bitrate;
  }

  /** The delay-based estimate of the subscriber's link; `live` false when its feedback stopped. */
  onDelay(live: boolean, overuse: boolean, ceilingBps: number): void {
    this.delayKnown = live;
    this.overuse = live && overuse;
    this.ceiling = live ? ceilingBps : Infinity;
  }

  /** Round trip from the subscriber's receiver reports, ms. */
  onRtt(ms: number): void {
    this.rttMs = ms;
    this.minRttMs = Math.min(this.minRttMs, ms);
  }

  /** Re-decide; returns the byBandwidth layer (call every tickMs). */
  tick(current: number, { costs }: LayerCosts, now = performance.now()): number {
    const top = costs.length - 1;
    const cost = costs[Math.max(0, current)] ?? 0;
    const queueing = this.queueing;
    // A try of a higher layer is judged on the first report after it: a queue building (or,
    // without delay feedback, any clear loss) means the link cannot take it, and every second
    // of it costs the viewer. After a step down, the queue the old layer left needs time to drain.
    const probing = now - this.probingSince < PROBE_OK_MS;
    const byRemb = this.remb > 0 && current >= 0 && this.remb < 0.85 * cost;
    const congested = this.delayKnown
      ? (this.overuse && now - this.lastChangeAt >= DRAIN_MS) || this.lossEwma > LOSS_LINK_FAILING || byRemb
      : this.lossEwma > LOSS_CONGESTED ||
        (this.lossEwma > LOSS_WITH_QUEUE && queueing) ||
        (probing && (this.lastLoss > PROBE_LOSS || queueing)) ||
        byRemb;
    // the rate the link is known to carry: the receiver's word, or what the queue showed
    const limit = Math.min(this.remb > 0 ? this.remb : Infinity, this.ceiling);
    if (congested) {
      if (now - this.lastChangeAt >= (probing ? PROBE_HOLD_MS : MIN_HOLD_MS) && this.byBandwidth > 0) {
        // a failed try waits twice as long before the next; any congestion waits at least 4 s
        this.lastDownWasProbe = now - this.probingSince < PROBE_OK_MS;
        if (this.lastDownWasProbe)
          this.backoffMs = Math.min(BACKOFF_MAX_MS, Math.max(4 * BACKOFF_MIN_MS, this.backoffMs * 2));
        else this.backoffMs = Math.max(this.backoffMs, 2 * BACKOFF_MIN_MS);
        let next = Math.min(this.byBandwidth, Math.max(0, current)) - 1;
        while (next > 0 && costs[next]! > limit) next--;
        this.byBandwidth = Math.max(0, next);
        this.lastChangeAt = now;
        this.probingSince = -Infinity;
        this.lossEwma = 0; // judge the new layer on its own reports
      }
      return this.byBandwidth;
    }
    if (now - this.probingSince >= PROBE_OK_MS && this.probingSince > -Infinity) {
      this.backoffMs = BACKOFF_MIN_MS; // the last try held
      this.probingSince = -Infinity;
    }
    const above = costs[this.byBandwidth + 1] ?? Infinity;
    const roomAbove = (this.remb === 0 || above < this.remb * 1.5) && above < this.ceiling;
    if (
      this.byBandwidth < Math.min(top, this.maxBySize) &&
      now - this.lastChangeAt >= this.backoffMs &&
      roomAbove
    ) {
      if (this.delayKnown && this.paddingProbes) {
        // the link proves the room with padding first; the switch waits for the verdict
        if (now - this.paddingSince < PROBE_STALE_MS) return this.byBandwidth;
        this.probeWanted = {
          layer: this.byBandwidth + 1,
          extraBps: Math.max(0, PROBE_HEADROOM * above - (costs[this.byBandwidth] ?? 0)),
          durationMs: PADDING_PROBE_MS,
        };
        this.paddingSince = now;
        return this.byBandwidth;
      }
      this.byBandwidth++;
      this.lastChangeAt = now;
      this.probingSince = now;
    }
    return this.byBandwidth;
  }

  /** The down track could not start the probe it was asked for: ask again on a later tick. */
  probeRefused(): void {
    this.paddingSince = -Infinity;
  }

  /**
   * The verdict on a padding probe of `layer`: passed, the layer is taken (and judged as any
   * try); failed, the next probe waits as after a failed try, and the picture never changed.
   */
  onProbeResult(layer: number, ok: boolean, now = performance.now()): void {
    this.paddingSince = -Infinity;
    this.lastChangeAt = now;
    if (ok) {
      this.probesPassed++;
      if (layer > this.byBandwidth && layer <= this.maxBySize) {
        this.byBandwidth = layer;
        this.probingSince = now;
      }
    } else {
      this.probesFailed++;
      this.backoffMs = Math.min(BACKOFF_MAX_MS, Math.max(4 * BACKOFF_MIN_MS, this.backoffMs * 2));
    }
  }

  /** The player's size and visibility, against the layers' heights (lowest first). */
  setViewport(visible: boolean, height: number, layerHeights: number[]): void {
    if (!visible) {
      this.maxBySize = -1;
      return;
    }
    let layer = layerHeights.length - 1;
    // the smallest layer at least as tall as the element (heights unknown count as fitting)
    for (let i = 0; i < layerHeights.length; i++) {
      if ((layerHeights[i] ?? 0) >= height * 0.9) {
        layer = i;
        break;
      }
    }
    this.maxBySize = layer;
  }
}
