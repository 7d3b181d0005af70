/** What the call page and apps show about a connection's quality. */
export interface ConnectionStats {
  /** ICE round trip to the node, ms */
  rttMs?: number;
  /** signaling round trip, ms */
  signalRttMs?: number;
  /** received: fraction of packets lost, 0..1 */
  receiveLoss: number;
  videoFramesDecoded: number;
  /** codec of the received video, e.g. "video/VP8" */
  videoCodec?: string;
  videoFramesPerSecond?: number;
  videoWidth?: number;
  videoHeight?: number;
  audioPacketsReceived: number;
  /** the received audio's total energy as the browser measured it: above 0 once sound, not silence, arrived */
  audioEnergyReceived: number;
  /** video freezes the browser counted, and their total length in seconds */
  freezeCount: number;
  freezeSeconds: number;
  /** share of received audio samples the decoder had to make up (loss concealment), 0..1 */
  audioConcealedRatio: number;
  bytesReceived: number;
  bytesSent: number;
  jitterMs?: number;
  /** the browser's estimate of how fast it may send, kbit/s */
  availableOutgoingKbps?: number;
  quality: 'excellent' | 'good' | 'poor' | 'unknown';
}

type Stat = Record<string, unknown> & { type: string; id: string };

export function summarizeStats(
  publisher: RTCStatsReport | undefined,
  subscriber: RTCStatsReport | undefined,
  signalRttMs?: number,
): ConnectionStats {
  const out: ConnectionStats = {
    signalRttMs,
    receiveLoss: 0,
    videoFramesDecoded: 0,
    audioPacketsReceived: 0,
    audioEnergyReceived: 0,
    freezeCount: 0,
    freezeSeconds: 0,
    audioConcealedRatio: 0,
    bytesReceived: 0,
    bytesSent: 0,
    quality: 'unknown',
  };
  let received = 0;
  let lost = 0;
  let concealed = 0;
  let samples = 0;
  const visit = (report: RTCStatsReport | undefined, fn: (s: Stat) => void) =>
    report?.forEach((s: Stat) => fn(s));
  visit(subscriber, (s) => {
    if (s.type === 'inbound-rtp') {
      const num = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : 0);
      received += num('packetsReceived');
      lost += Math.max(0, num('packetsLost'));
      out.bytesReceived += num('bytesReceived');
      if (s.kind === 'video') {
        out.videoFramesDecoded += num('framesDecoded');
        out.freezeCount += num('freezeCount');
        out.freezeSeconds += num('totalFreezesDuration');
        const codec =
          typeof s.codecId === 'string' ? (subscriber?.get(s.codecId) as Stat | undefined) : undefined;
        if (codec && typeof codec.mimeType === 'string') out.videoCodec = codec.mimeType;
        if (typeof s.framesPerSecond === 'number') out.videoFramesPerSecond = s.framesPerSecond;
        if (typeof s.frameWidth === 'number') out.videoWidth = s.frameWidth;
        if (typeof s.frameHeight === 'number') out.videoHeight = s.frameHeight;
      } else if (s.kind === 'audio') {
        out.audioPacketsReceived += num('packetsReceived');
        out.audioEnergyReceived += num('totalAudioEnergy');
        concealed += num('concealedSamples');
        samples += num('totalSamplesReceived');
        if (typeof s.jitter === 'number') out.jitterMs = Math.round(s.jitter * 1000);
      }
    }
    if (s.type === 'candidate-pair' && s.nominated && typeof s.currentRoundTripTime === 'number') {
      out.rttMs = Math.round(s.currentRoundTripTime * 1000);
    }
  });
  visit(publisher, (s) => {
    if (s.type === 'outbound-rtp' && typeof s.bytesSent === 'number') out.bytesSent += s.bytesSent;
    if (s.type === 'candidate-pair' && s.nominated) {
      if (typeof s.availableOutgoingBitrate === 'number')
        out.availableOutgoingKbps = Math.round(s.availableOutgoingBitrate / 1000);
      if (out.rttMs === undefined && typeof s.currentRoundTripTime === 'number')
        out.rttMs = Math.round(s.currentRoundTripTime * 1000);
    }
  });
  out.receiveLoss = received + lost > 0 ? lost / (received + lost) : 0;
  out.audioConcealedRatio = samples > 0 ? concealed / samples : 0;
  const rtt = out.rttMs ?? signalRttMs;
  if (rtt !== undefined) {
    out.quality =
      rtt < 150 && out.receiveLoss < 0.02
        ? 'excellent'
        : rtt < 400 && out.receiveLoss < 0.08
          ? 'good'
          : 'poor';
  }
  return out;
}
