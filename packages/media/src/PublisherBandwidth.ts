import { ReceiverEstimatedMaxBitrate, RtcpPayloadSpecificFeedback, type RTCRtpReceiver } from 'werift';

/**
 * The rate the node tells a publisher it may send (REMB), from what arrives: while little is
 * lost it stays well above the incoming rate and climbs, so the browser may raise its
 * layers; on heavy loss it drops below what arrives. The browser's own loss-based control
 * keeps it honest on a bad uplink.
 */
export class PublisherBandwidth {
  estimate: number;

  constructor(
    private readonly startBps = 1_000_000,
    private readonly maxBps = 4_000_000,
    private readonly minBps = 150_000,
  ) {
    this.estimate = startBps;
  }

  /** One measurement window: bit/s received and fraction lost (0..1). */
  update(incomingBps: number, loss: number, windowMs: number): number {
    const seconds = windowMs / 1000;
    if (loss > 0.1) {
      this.estimate = incomingBps * (1 - 0.5 * loss);
    } else if (loss < 0.02) {
      const grown = this.estimate * Math.pow(1.3, seconds);
      this.estimate = Math.max(grown, incomingBps * 1.5, this.startBps);
    }
    this.estimate = Math.round(Math.min(this.maxBps, Math.max(this.minBps, this.estimate)));
    return this.estimate;
  }
}

/** Send a REMB for the given media SSRCs on a receiver's transport. */
export function sendRemb(receiver: RTCRtpReceiver, ssrcs: number[], bitrate: number): void {
  let mantissa = Math.max(0, Math.floor(bitrate));
  let exp = 0;
  while (mantissa >= 1 << 18) {
    mantissa = Math.floor(mantissa / 2);
    exp++;
  }
  const packet = new RtcpPayloadSpecificFeedback({
    feedback: new ReceiverEstimatedMaxBitrate({
      senderSsrc: receiver.rtcpSsrc,
      mediaSsrc: 0,
      brExp: exp,
      brMantissa: mantissa,
      ssrcNum: ssrcs.length,
      ssrcFeedbacks: ssrcs,
    }),
  });
  receiver.dtlsTransport?.sendRtcp([packet]).catch(() => undefined);
}
