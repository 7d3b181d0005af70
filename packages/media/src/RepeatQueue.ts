/**
 * Proactive repair for a subscriber on a lossy long link: chosen datagrams are sent again a
 * little later. A retransmission asked for by NACK arrives a round trip late, and on a 200 ms
 * link every lost packet of a reference frame then freezes the picture; a copy already on its
 * way fills the hole within tens of milliseconds. The copy is the same SRTP datagram, so a
 * receiver that got the first one drops it as a replay at no cost but the bytes. Copies are
 * spaced so that one burst of loss does not take the original and its copies together.
 */
const SPACING_MS = 12;
/** copies waiting beyond this are stale: NACK handles what is left */
const MAX_PENDING = 512;

interface Pending {
  due: number;
  datagram: Buffer;
}

export class RepeatQueue {
  private pending: Pending[] = [];
  private timer?: ReturnType<typeof setTimeout>;
  copiesSent = 0;

  constructor(private readonly send: (datagram: Buffer) => void) {}

  /** Send `datagram` `copies` more times, SPACING_MS apart. */
  add(datagram: Buffer, copies: number, now: number): void {
    if (copies <= 0 || this.pending.length >= MAX_PENDING) return;
    for (let c = 1; c <= copies; c++) this.pending.push({ due: now + c * SPACING_MS, datagram });
    if (!this.timer) this.arm(now);
  }

  private arm(now: number): void {
    let next = Infinity;
    for (const p of this.pending) next = Math.min(next, p.due);
    if (next === Infinity) return;
    this.timer = setTimeout(() => this.flush(), Math.max(1, next - now));
    this.timer.unref?.();
  }

  private flush(): void {
    this.timer = undefined;
    const now = performance.now();
    const later: Pending[] = [];
    for (const p of this.pending) {
      if (p.due <= now + 1) {
        this.send(p.datagram);
        this.copiesSent++;
      } else later.push(p);
    }
    this.pending = later;
    if (later.length) this.arm(now);
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
  }
}
