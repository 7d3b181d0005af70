/**
 * A FIFO of 16-bit samples that takes chunks of any size and gives back fixed-size frames: TTS
 * chunks cut into 20 ms Opus frames, 20 ms of decoded audio regrouped into 32 ms VAD windows.
 * A ring buffer, so steady use allocates nothing; it grows (doubling) only when more is queued
 * than ever before, as when a TTS engine delivers a whole sentence faster than real time.
 */
export class PcmQueue {
  private ring: Int16Array;
  private head = 0;
  private size = 0;

  constructor(initialCapacity = 48_000) {
    this.ring = new Int16Array(Math.max(16, initialCapacity));
  }

  /** samples queued */
  get length(): number {
    return this.size;
  }

  push(samples: Int16Array): void {
    const n = samples.length;
    if (this.size + n > this.ring.length) this.grow(this.size + n);
    const ring = this.ring;
    const tail = (this.head + this.size) % ring.length;
    const first = Math.min(n, ring.length - tail);
    ring.set(first === n ? samples : samples.subarray(0, first), tail);
    if (first < n) ring.set(samples.subarray(first), 0);
    this.size += n;
  }

  /**
   * Moves `into.length` samples into `into` if that many are queued; returns false and takes
   * nothing otherwise.
   */
  read(into: Int16Array): boolean {
    const n = into.length;
    if (n > this.size) return false;
    this.take(into, n);
    return true;
  }

  /**
   * Moves what is queued, up to `into.length`, into `into` and fills the rest with silence:
   * the last, partial frame of an utterance. Returns how many samples were real.
   */
  readPadded(into: Int16Array): number {
    const n = Math.min(into.length, this.size);
    this.take(into, n);
    into.fill(0, n);
    return n;
  }

  /** Drops `count` samples (all by default); returns how many were dropped. */
  discard(count = this.size): number {
    const n = Math.min(count, this.size);
    this.head = (this.head + n) % this.ring.length;
    this.size -= n;
    if (this.size === 0) this.head = 0;
    return n;
  }

  private take(into: Int16Array, n: number): void {
    const ring = this.ring;
    const first = Math.min(n, ring.length - this.head);
    into.set(ring.subarray(this.head, this.head + first), 0);
    if (first < n) into.set(ring.subarray(0, n - first), first);
    this.discard(n);
  }

  private grow(needed: number): void {
    let capacity = this.ring.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = new Int16Array(capacity);
    const size = this.size;
    this.take(next, size);
    this.ring = next;
    this.head = 0;
    this.size = size;
  }
}
