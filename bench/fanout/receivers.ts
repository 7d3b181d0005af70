// The fan-out bench's subscribers, in a process of their own so that their CPU is not the
// SFU's and the bench can tell whether they kept up: node-datachannel (libdatachannel) peer
// connections that answer an SFU's offer and count the RTP they receive, per SSRC, without
// decoding anything. Driven by the bench over IPC (see ReceiverFarm).
import nodeDataChannel from 'node-datachannel';

export type FarmRequest =
  | { op: 'answer'; id: string; offer: string; bindAddress: string }
  | { op: 'stats' }
  | { op: 'close'; id: string }
  | { op: 'closeAll' };

export type FarmReply =
  | { op: 'answer'; id: string; sdp?: string; error?: string }
  | { op: 'stats'; receivers: Record<string, ReceiverStats>; cpuMicros: number }
  | { op: 'closed' };

export interface ReceiverStats {
  state: string;
  packets: number;
  bytes: number;
  /** packets the sequence numbers say were sent (highest - first + 1, summed over SSRCs) */
  expected: number;
  /** size of the last VP8 keyframe seen, to check which simulcast layer arrives */
  width: number;
  height: number;
}

/** One RTP stream as a receiver sees it, with wrap-extended sequence numbers. */
class Stream {
  packets = 0;
  bytes = 0;
  first = -1;
  highest = -1;

  add(seq: number, length: number): void {
    this.packets++;
    this.bytes += length;
    if (this.highest < 0) {
      this.first = this.highest = seq;
      return;
    }
    let delta = (seq - (this.highest & 0xffff)) & 0xffff;
    if (delta >= 0x8000) delta -= 0x10000;
    if (delta > 0) this.highest += delta;
  }

  get expected(): number {
    return this.highest < 0 ? 0 : this.highest - this.first + 1;
  }
}

class Receiver {
  readonly pc: nodeDataChannel.PeerConnection;
  private readonly streams = new Map<number, Stream>();
  private readonly tracks: nodeDataChannel.Track[] = [];
  width = 0;
  height = 0;

  constructor(id: string, bindAddress: string) {
    this.pc = new nodeDataChannel.PeerConnection(id, {
      iceServers: [],
      bindAddress,
      portRangeBegin: 20000,
      portRangeEnd: 29999,
    });
    this.pc.onTrack((track) => {
      this.tracks.push(track);
      track.onMessage((packet) => this.receive(packet));
    });
  }

  /** Answer the SFU's offer; resolves with the answer once every local candidate is in it. */
  answer(offer: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('ICE gathering did not complete')), 10000);
      const done = () => {
        clearTimeout(timer);
        resolve(this.pc.localDescription()!.sdp);
      };
      this.pc.onGatheringStateChange((state) => {
        if (state === 'complete') done();
      });
      this.pc.setRemoteDescription(offer, 'offer');
      if (this.pc.gatheringState() === 'complete') done();
    });
  }

  private receive(packet: Buffer): void {
    if (packet.length < 12) return;
    const second = packet[1]!;
    if (second >= 192 && second <= 223) return; // RTCP (SR, RR, SDES, BYE…)
    const ssrc = packet.readUInt32BE(8);
    let stream = this.streams.get(ssrc);
    if (!stream) this.streams.set(ssrc, (stream = new Stream()));
    stream.add(packet.readUInt16BE(2), packet.length);
    this.readKeyframeSize(packet);
  }

  /** VP8 keyframes carry the picture size: the cheapest proof of which layer is forwarded. */
  private readKeyframeSize(p: Buffer): void {
    const cc = p[0]! & 0x0f;
    let o = 12 + 4 * cc;
    if (p[0]! & 0x10) {
      if (p.length < o + 4) return;
      o += 4 + 4 * p.readUInt16BE(o + 2);
    }
    if (p.length < o + 1 + 10) return;
    const d = p[o]!;
    // start of a partition 0 only
    if (!(d & 0x10) || (d & 0x07) !== 0) return;
    o++;
    if (d & 0x80) {
      const x = p[o++]!;
      if (x & 0x80) o += p[o]! & 0x80 ? 2 : 1;
      if (x & 0x40) o++;
      if (x & 0x30) o++;
    }
    if (p.length < o + 10 || p[o]! & 0x01) return; // inter frame
    if (p[o + 3] !== 0x9d || p[o + 4] !== 0x01 || p[o + 5] !== 0x2a) return;
    this.width = p.readUInt16LE(o + 6) & 0x3fff;
    this.height = p.readUInt16LE(o + 8) & 0x3fff;
  }

  stats(): ReceiverStats {
    let packets = 0;
    let bytes = 0;
    let expected = 0;
    for (const s of this.streams.values()) {
      packets += s.packets;
      bytes += s.bytes;
      expected += s.expected;
    }
    return { state: this.pc.state(), packets, bytes, expected, width: this.width, height: this.height };
  }

  close(): void {
    for (const t of this.tracks) t.close();
    this.pc.close();
  }
}

const receivers = new Map<string, Receiver>();

function reply(msg: FarmReply): void {
  process.send!(msg);
}

async function handle(msg: FarmRequest): Promise<void> {
  switch (msg.op) {
    case 'answer': {
      let receiver = receivers.get(msg.id);
      if (!receiver) receivers.set(msg.id, (receiver = new Receiver(msg.id, msg.bindAddress)));
      try {
        reply({ op: 'answer', id: msg.id, sdp: await receiver.answer(msg.offer) });
      } catch (err) {
        reply({ op: 'answer', id: msg.id, error: (err as Error).message });
      }
      return;
    }
    case 'stats': {
      const out: Record<string, ReceiverStats> = {};
      for (const [id, r] of receivers) out[id] = r.stats();
      const cpu = process.cpuUsage();
      reply({ op: 'stats', receivers: out, cpuMicros: cpu.user + cpu.system });
      return;
    }
    case 'close':
      receivers.get(msg.id)?.close();
      receivers.delete(msg.id);
      return;
    case 'closeAll':
      for (const r of receivers.values()) r.close();
      receivers.clear();
      reply({ op: 'closed' });
      return;
  }
}

if (process.send) {
  process.on('message', (msg: FarmRequest) => void handle(msg));
  process.on('disconnect', () => {
    for (const r of receivers.values()) r.close();
    nodeDataChannel.cleanup();
    process.exit(0);
  });
}
