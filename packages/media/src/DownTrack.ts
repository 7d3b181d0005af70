import type { RTCRtpTransceiver, RtpPacket } from 'werift';
import { GenericNack, RtcpRrPacket, RtcpSrPacket, RtcpTransportLayerFeedback } from 'werift';
import { RtpMunger, seqDiff } from './RtpMunger.ts';
import { Vp8Munger } from './Vp8Munger.ts';
import { vp8TemporalId } from './keyframe.ts';
import { LayerController, type ProbeRequest } from './LayerController.ts';
import { ForwardingSender } from './ForwardingSender.ts';
import type { PublishedTrack } from './PublishedTrack.ts';
import type { DownlinkBandwidth } from './DownlinkBandwidth.ts';

const NO_EXTENSIONS: never[] = [];
/** RTP header, extensions, SRTP tag, UDP and IP: what a packet costs the link beyond its payload */
const PACKET_OVERHEAD = 60;
/** receiver reports (about one a second) with less loss before protection steps down */
const CALM_REPORTS_TO_LOWER = 4;
/** a report is calm only below this loss: the copies hide most loss, not all of it */
const CALM_LOSS = 0.005;

/** copies before any report once the receiver has asked for a repair: what 4-10 % loss wants */
const NACKED_PROTECTION = 2;
/** ... on a link where a repair takes this long: several frames' time */
const NACKED_MIN_RTT_MS = 60;
/** padding goes out in steps this far apart during a probe: a packet or two each */
const PAD_INTERVAL_MS = 10;

/** Copies of each reference-frame packet for a loss rate: residual loss^(copies+1) well under 1 %. */
function copiesFor(loss: number): number {
  return loss < 0.01 ? 0 : loss < 0.04 ? 1 : loss < 0.1 ? 2 : 3;
}

/**
 * One published track as one subscriber receives it: its own sender on the subscriber's
 * connection, its own sequence/timestamp numbering, its own simulcast layer, and its own wait
 * for a keyframe so that every picture it is sent can be decoded.
 */
export class DownTrack {
  readonly munger: RtpMunger;
  /** VP8's picture numbering across switches (undefined for other codecs) */
  private readonly vp8?: Vp8Munger;
  readonly layers: LayerController;
  private readonly forwarder: ForwardingSender;
  packetsSent = 0;
  bytesSent = 0;
  /** times this subscriber was started from the keyframe cache */
  cachedStarts = 0;
  layerSwitches = 0;
  /**
   * extra copies sent of each reference-frame packet, from the subscriber's loss (0..3); one
   * until the first receiver report, so the first keyframe, the costliest packets to lose on
   * a long link, gets through on an unknown one
   */
  protection = 1;
  private calmReports = 0;
  /** loss the transport-wide feedback shows (0 without it): it comes ten times as often as reports */
  private feedbackLoss = 0;
  /** a receiver report has come: the start-up guess gives way to what it says */
  private reported = false;
  /** bit/s sent over the last second */
  bitrate = 0;
  private bitrateWindowBytes = 0;
  private bitrateWindowStart = performance.now();
  /** layer being sent; -1 until started (or while paused) */
  current = -1;
  /** last sequence number of a cached burst; live packets up to it are duplicates */
  private cacheEndSeq = -1;
  /** after a downswitch: start again only on a live keyframe, not a cached burst */
  private liveKeyframeOnly = false;
  private pausedAt = 0;
  private insurance?: ReturnType<typeof setTimeout>;
  private padTimer?: ReturnType<typeof setInterval>;
  private readonly unsubscribers: (() => void)[] = [];
  private readonly timer?: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(
    readonly track: PublishedTrack,
    readonly transceiver: RTCRtpTransceiver,
    readonly subscriberSid: string,
    /** the subscriber's whole link, shared by its down tracks */
    private readonly downlink?: DownlinkBandwidth,
  ) {
    this.munger = new RtpMunger(track.clockRate);
    if (track.mimeType.toLowerCase() === 'video/vp8') this.vp8 = new Vp8Munger();
    this.layers = new LayerController(track.layers.length);
    const sender = transceiver.sender;
    this.forwarder = new ForwardingSender(sender);
    downlink?.attach(sender);
    if (downlink) this.unsubscribers.push(downlink.watch(() => this.onLinkFeedback()));
    this.unsubscribers.push(
      sender.onPictureLossIndication.subscribe(() => track.requestKeyframe(Math.max(0, this.current)))
        .unSubscribe,
      sender.onRtcp.subscribe((packet) => {
        if (packet instanceof RtcpRrPacket || packet instanceof RtcpSrPacket) {
          for (const report of packet.reports)
            if (report.ssrc === sender.ssrc) this.onReceiverReport(report.fractionLost / 256);
        } else if (packet instanceof RtcpTransportLayerFeedback && packet.feedback instanceof GenericNack) {
          this.onNack();
        }
      }).unSubscribe,
    );
    if (track.simulcast) {
      this.timer = setInterval(() => this.reconsider(), LayerController.tickMs);
      this.timer.unref();
    }
    if (track.kind === 'audio') this.current = 0;
    track.addDownTrack(this);
  }

  /**
   * A NACK before the link has been judged: loss is there, and the first receiver report is
   * most of a second away, the first transport-wide feedback a few hundred milliseconds. On a
   * long link every packet of a reference frame lost meanwhile freezes the picture for a round
   * trip: take the link for one that loses a few percent until the reports say better. (A
   * NACK can also be a receiver short of CPU; on a short link the repair is cheap anyway.)
   */
  private onNack(): void {
    if (this.reported || this.track.kind !== 'video' || this.protection >= NACKED_PROTECTION) return;
    // where a repair is quick (a short link), a NACK answered costs less than copies sent ahead
    const rtt = this.downlink?.roundTripMs;
    if (rtt === undefined || rtt < NACKED_MIN_RTT_MS) return;
    this.protection = NACKED_PROTECTION;
    this.calmReports = 0;
  }

  private onReceiverReport(fractionLost: number): void {
    this.layers.onLoss(fractionLost);
    this.chooseRepair();
    this.reported = true;
  }

  /** How much repair to send ahead of NACKs, from the loss the subscriber reports. */
  private chooseRepair(): void {
    // one redundant copy on a clean link (a late packet is rebuilt too), two once loss shows
    const loss = Math.max(this.layers.lossEwma, this.feedbackLoss);
    if (this.track.kind === 'audio') this.forwarder.red.distance = loss > 0.01 ? 2 : 1;
    // Residual loss of a packet sent n+1 times is loss^(n+1): keep reference frames whole with
    // well under 1 % residual loss, so that their repair rarely needs a round trip. Loss with a
    // queue building is congestion, which copies would only deepen: there the layer goes down.
    else if (this.layers.queueing) {
      this.protection = 0;
      this.calmReports = 0;
    } else {
      const wanted = copiesFor(loss);
      // Up at once, down one step only after several calm reports. The copies themselves hide
      // loss from the receiver's reports, so less loss than the copies were chosen for is
      // mostly their own doing: only a link that loses (almost) nothing through them is calm.
      // (Stepping down at 20 % loss left one copy, and every repair by NACK a freeze.)
      if (wanted >= this.protection || !this.reported) {
        this.protection = wanted;
        this.calmReports = 0;
      } else if (loss >= CALM_LOSS) {
        this.calmReports = 0;
      } else if (++this.calmReports >= CALM_REPORTS_TO_LOWER) {
        this.protection--;
        this.calmReports = 0;
      }
    }
  }

  /**
   * What the subscriber's transport-wide feedback says of its link, on each message (and each
   * tick). The first receiver report comes a second or more after the first picture, and until
   * then a lossy link breaks frame after frame: the copies rise as soon as feedback shows the
   * loss (lowering stays with the reports, see chooseRepair).
   */
  private onLinkFeedback(): void {
    const downlink = this.downlink;
    if (!downlink || this.closed) return;
    const estimate = downlink.estimator;
    const live = downlink.live;
    this.layers.onDelay(live, estimate.usage === 'overuse', estimate.ceilingBps);
    this.feedbackLoss = live ? estimate.lossRatio : 0;
    const wanted = copiesFor(this.feedbackLoss);
    if (this.track.kind === 'video' && !this.layers.queueing && wanted > this.protection) {
      this.protection = wanted;
      this.calmReports = 0;
    }
  }

  /** The layer this subscriber should get (for dynacast: what the publisher must keep sending). */
  get neededLayer(): number {
    return this.track.kind === 'audio' ? 0 : this.layers.target;
  }

  private reconsider(): void {
    const sender = this.transceiver.sender;
    const remb = Number(sender.receiverEstimatedMaxBitrate);
    if (remb > 0) this.layers.onRemb(remb);
    // werift keeps the RR-based round trip (seconds) private; read it rather than recompute it
    const rtt = (sender as unknown as { rtt?: number }).rtt;
    if (typeof rtt === 'number' && rtt > 0) this.layers.onRtt(rtt * 1000);
    if (this.downlink) {
      this.downlink.updatePacing();
      this.onLinkFeedback();
    }
    this.layers.paddingProbes = this.downlink !== undefined && this.forwarder.canPad && this.current >= 0;
    const before = this.layers.target;
    this.layers.tick(this.current, { costs: this.track.layers.map((l) => l.cost) });
    if (this.layers.target !== before) this.targetChanged();
    const probe = this.layers.probeWanted;
    if (probe) {
      this.layers.probeWanted = undefined;
      this.startProbe(probe);
    }
  }

  /**
   * Pad the link up to the layer above's rate for the probe's length and let the feedback on
   * those packets decide the switch (ProbeCluster). The picture stays on its layer meanwhile.
   */
  private startProbe(probe: ProbeRequest): void {
    const started = this.downlink?.probe(probe.durationMs, (result) => {
      this.stopPadding();
      if (this.closed) return;
      const before = this.layers.target;
      this.layers.onProbeResult(probe.layer, result.ok);
      if (this.layers.target !== before) this.targetChanged();
    });
    if (!started) return this.layers.probeRefused();
    let last = performance.now();
    const end = last + probe.durationMs;
    let owed = 0;
    this.padTimer = setInterval(() => {
      const now = performance.now();
      owed += (probe.extraBps * (Math.min(now, end) - last)) / 8000;
      last = now;
      if (owed > 0 && !this.closed) owed -= this.forwarder.sendPadding(owed, now);
      if (now >= end) this.stopPadding();
    }, PAD_INTERVAL_MS);
    this.padTimer.unref();
  }

  private stopPadding(): void {
    clearInterval(this.padTimer);
    this.padTimer = undefined;
  }

  /** bytes of padding sent to probe this subscriber's link */
  get paddingBytesSent(): number {
    return this.forwarder.paddingBytesSent;
  }

  /**
   * The transport is about to carry media: a video not yet started asks for its keyframe,
   * unless the cached group is young enough to still serve when the handshake is done.
   */
  prepareStart(): void {
    const target = this.layers.target;
    if (this.track.kind !== 'video' || this.current >= 0 || target < 0) return;
    const cache = this.track.layers[target]?.keyframeCache;
    if (cache && cache.ageMs < cache.maxAgeMs / 2) return;
    this.track.requestKeyframe(target);
  }

  get redDistance(): number {
    return this.forwarder.red.distance;
  }

  get copiesSent(): number {
    return this.forwarder.repeats.copiesSent;
  }

  /** Adaptive stream: the subscriber's player size and visibility. */
  setViewport(visible: boolean, height: number): void {
    const before = this.layers.target;
    this.layers.setViewport(
      visible,
      height,
      this.track.layers.map((l) => l.height),
    );
    if (this.layers.target !== before) this.targetChanged();
  }

  private targetChanged(): void {
    const target = this.layers.target;
    if (target < 0) {
      this.current = -1; // hidden: stop sending video
    } else if (this.current >= 0 && target < this.current && !this.layers.lastDownWasProbe) {
      // Going down because the link is full: stop the big layer now so the queue drains and
      // the smaller layer's keyframe gets through; a short pause beats a long freeze. (A failed
      // try of a higher layer left only a short burst queued: switch back on the keyframe.)
      this.current = -1;
      this.liveKeyframeOnly = true;
      this.pausedAt = performance.now();
      this.track.requestKeyframe(target);
    } else if (this.current >= 0 && target !== this.current) {
      this.track.requestKeyframe(target);
    }
    this.track.updateWantedLayers();
  }

  write(rtp: RtpPacket, layer: number, keyframe: boolean): void {
    if (this.closed) return;
    const target = this.layers.target;
    if (this.current < 0) {
      if (target < 0 || layer > target) return;
      // A keyframe sent before the subscriber's DTLS is up would be dropped by the sender,
      // leaving it with deltas it cannot decode: start only once packets really go out.
      if (!this.canSend()) return;
      if (keyframe && layer === target) return this.start(layer, rtp);
      // A cached group is a burst; a congested link would drop it, so then wait for a live
      // keyframe, but not for long: after a second the cached group beats a frozen picture.
      if (this.liveKeyframeOnly && performance.now() - this.pausedAt > 1000) this.liveKeyframeOnly = false;
      if (!this.liveKeyframeOnly && this.startFromCache(target)) return;
      if (keyframe) return this.start(layer, rtp);
      this.track.requestKeyframe(target);
      return;
    }
    if (layer === this.current) {
      if (this.cacheEndSeq >= 0) {
        if (seqDiff(rtp.header.sequenceNumber, this.cacheEndSeq) <= 0) return;
        this.cacheEndSeq = -1;
      }
      this.send(rtp);
      return;
    }
    if (layer === target && keyframe) {
      // switch layers on the new layer's keyframe, so the picture never breaks
      this.switchSource();
      this.current = layer;
      this.cacheEndSeq = -1;
      this.layerSwitches++;
      this.send(rtp);
      this.insureKeyframe(layer);
    }
  }

  /**
   * A switch happens on a congested link, where the keyframe it starts from may be lost; the
   * receiver then spends seconds on retransmissions before it asks for a new one. Ask once
   * more, a moment after the switch, so a lost keyframe costs well under a second.
   */
  private insureKeyframe(layer: number): void {
    clearTimeout(this.insurance);
    this.insurance = setTimeout(() => {
      if (!this.closed && this.current === layer) this.track.requestKeyframe(layer);
    }, 600);
  }

  private start(layer: number, rtp: RtpPacket): void {
    const restart = this.liveKeyframeOnly;
    this.liveKeyframeOnly = false;
    this.switchSource();
    this.current = layer;
    this.cacheEndSeq = -1;
    this.send(rtp);
    if (restart) this.insureKeyframe(layer);
  }

  /** Start from the cached keyframe group of the best layer up to `target`; false when none. */
  private startFromCache(target: number): boolean {
    for (let i = target; i >= 0; i--) {
      const group = this.track.layers[i]?.keyframeCache.group;
      if (!group?.length) continue;
      this.switchSource();
      this.current = i;
      for (const packet of group) this.send(packet);
      this.cacheEndSeq = group[group.length - 1]!.header.sequenceNumber;
      this.cachedStarts++;
      if (i !== target) this.track.requestKeyframe(target);
      return true;
    }
    return false;
  }

  private send(rtp: RtpPacket): void {
    const header = rtp.header;
    const seq = header.sequenceNumber;
    const ts = header.timestamp;
    const extensions = header.extensions;
    const original = rtp.payload;
    const now = performance.now();
    if (this.munger.rewrite(header, now)) {
      // this subscriber's picture numbering: the first bytes it gets instead of the payload's
      const head = this.vp8?.rewrite(original);
      // Frames more built on get more copies: a lost frame of the base temporal layer stops
      // the picture until it is repaired, one of a higher layer drops the frames above it (at
      // high loss, so many that the picture stutters), one of the top layer only itself.
      const copies =
        this.protection > 0 && this.track.kind === 'video'
          ? Math.max(0, this.protection - Math.max(0, vp8TemporalId(rtp.payload)))
          : 0;
      const pacer = this.downlink?.pacer;
      if (pacer?.limited && this.forwarder.ready) {
        // Held for its turn: keep what the send needs, as the shared packet is restored below.
        const held = { header: { marker: header.marker }, payload: original } as RtpPacket;
        const heldHead = head && Buffer.from(head);
        const outSeq = header.sequenceNumber;
        const outTs = header.timestamp;
        pacer.submit(
          original.length + PACKET_OVERHEAD,
          (at) => void this.forwarder.send(held, outSeq, outTs, at, copies, heldHead),
          this.track.kind === 'audio',
        );
      } else if (!this.forwarder.send(rtp, header.sequenceNumber, header.timestamp, now, copies, head)) {
        // Publisher's extension ids mean nothing on this connection; werift writes its own.
        header.extensions = NO_EXTENSIONS;
        if (head) rtp.payload = Buffer.concat([head, original.subarray(head.length)]);
        // werift clones the packet synchronously before its first await, so the shared packet
        // can be restored right after the call and the next subscriber sees the original.
        this.transceiver.sender.sendRtp(rtp).catch(() => undefined);
      }
      this.packetsSent++;
      this.bytesSent += rtp.payload.length + 12;
      this.bitrateWindowBytes += rtp.payload.length + 12;
      if (now - this.bitrateWindowStart >= 1000) {
        this.bitrate = Math.round((this.bitrateWindowBytes * 8000) / (now - this.bitrateWindowStart));
        this.bitrateWindowBytes = 0;
        this.bitrateWindowStart = now;
      }
    }
    header.sequenceNumber = seq;
    header.timestamp = ts;
    header.extensions = extensions;
    rtp.payload = original;
  }

  /** The next packet starts a new source: numbering continues across it. */
  private switchSource(): void {
    this.munger.switchSource();
    this.vp8?.switchSource();
  }

  private canSend(): boolean {
    const sender = this.transceiver.sender;
    return sender.dtlsTransport?.state === 'connected' && !!sender.codec;
  }

  /** After a pause the stream continues as a new source, from a keyframe. */
  resume(): void {
    if (this.track.kind === 'video') this.current = -1;
    else this.switchSource();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.insurance);
    this.stopPadding();
    this.forwarder.close();
    this.downlink?.detach(this.transceiver.sender);
    for (const off of this.unsubscribers) off();
    this.track.removeDownTrack(this);
  }
}
