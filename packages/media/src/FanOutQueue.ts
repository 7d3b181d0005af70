import type { RtpPacket } from 'werift';

/** What the queue hands each packet back to (PublishedTrack). */
export interface FanOutTarget {
  deliver(rtp: RtpPacket, layer: number, keyframe: boolean): void;
}

/** longest run of fan-out before the sockets are read again, ms */
const SLICE_MS = 3;
/**
 * A packet that waited longer is dropped, not sent: a node that cannot keep up must not build
 * an ever longer backlog (memory, and delay no receiver's jitter buffer would wait out).
 */
const MAX_DELAY_MS = 250;
const INITIAL_CAPACITY = 256;

/**
 * Fan-out in slices, so that the node keeps reading its sockets while it forwards.
 *
 * Forwarding one packet to N subscribers costs N encryptions and N sends. Done in the socket's
 * receive callback, a burst from a publisher (a keyframe is dozens of packets at once) holds
 * the event loop for N x burst sends while more packets arrive, and the kernel drops what
 * does not fit in the socket's receive buffer: at a hundred subscribers a 720p keyframe was
 * enough to lose packets on the way in while the node used half a core. Received packets are
 * queued instead and fanned out from a setImmediate turn that yields after SLICE_MS, so the
 * poll phase drains the sockets between slices and a burst costs delay, not loss.
 *
 * One queue per process keeps every track's packets in arrival order. Entries live in
 * parallel arrays used as a ring that only grows, so queueing allocates nothing per packet.
 * When the node is short of CPU the queue sheds what is too late (counted in `dropped`).
 */
export class FanOutQueue {
  private targets: (FanOutTarget | undefined)[] = new Array(INITIAL_CAPACITY);
  private packets: (RtpPacket | undefined)[] = new Array(INITIAL_CAPACITY);
  private layers = new Uint8Array(INITIAL_CAPACITY);
  private keyframes = new Uint8Array(INITIAL_CAPACITY);
  private queuedAt = new Float64Array(INITIAL_CAPACITY);
  private head = 0;
  private size = 0;
  private scheduled = false;
  /** packets dropped for waiting longer than MAX_DELAY_MS */
  dropped = 0;

  get length(): number {
    return this.size;
  }

  push(target: FanOutTarget, rtp: RtpPacket, layer: number, keyframe: boolean): void {
    if (this.size === this.targets.length) this.grow();
    const i = (this.head + this.size) % this.targets.length;
    this.targets[i] = target;
    this.packets[i] = rtp;
    this.layers[i] = layer;
    this.keyframes[i] = keyframe ? 1 : 0;
    this.queuedAt[i] = performance.now();
    this.size++;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    let now = performance.now();
    const deadline = now + SLICE_MS;
    let done = 0;
    while (this.size > 0) {
      const i = this.head;
      const target = this.targets[i]!;
      const rtp = this.packets[i]!;
      this.targets[i] = undefined;
      this.packets[i] = undefined;
      this.head = (i + 1) % this.targets.length;
      this.size--;
      if (now - this.queuedAt[i]! > MAX_DELAY_MS) {
        this.dropped++;
        continue;
      }
      try {
        target.deliver(rtp, this.layers[i]!, this.keyframes[i] === 1);
      } catch (err) {
        // one subscriber's broken transport must not stop everyone else's media
        console.error('fan-out failed', err);
      }
      if (++done % 4 === 0 && (now = performance.now()) >= deadline) break;
    }
    if (this.size > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  };

  private grow(): void {
    const capacity = this.targets.length * 2;
    const targets: (FanOutTarget | undefined)[] = new Array(capacity);
    const packets: (RtpPacket | undefined)[] = new Array(capacity);
    const layers = new Uint8Array(capacity);
    const keyframes = new Uint8Array(capacity);
    const queuedAt = new Float64Array(capacity);
    for (let n = 0; n < this.size; n++) {
      const from = (this.head + n) % this.targets.length;
      targets[n] = this.targets[from];
      packets[n] = this.packets[from];
      layers[n] = this.layers[from]!;
      keyframes[n] = this.keyframes[from]!;
      queuedAt[n] = this.queuedAt[from]!;
    }
    this.targets = targets;
    this.packets = packets;
    this.layers = layers;
    this.keyframes = keyframes;
    this.queuedAt = queuedAt;
    this.head = 0;
  }
}

/** The node's one queue. */
export const fanOutQueue = new FanOutQueue();
