import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhooks: each event is POSTed as JSON to every configured URL, signed so the receiver can
 * tell it came from this node and is fresh: `Liveport-Signature: t=<unix seconds>,v1=<hex
 * HMAC-SHA256 of "<t>.<body>" with the API secret>`. Failed deliveries are retried a few times.
 */
export interface WebhookEvent {
  event:
    | 'room_started'
    | 'room_finished'
    | 'participant_joined'
    | 'participant_left'
    | 'track_published'
    | 'track_unpublished';
  id: string;
  createdAt: number;
  [key: string]: unknown;
}

export const SIGNATURE_HEADER = 'liveport-signature';
const RETRY_DELAYS_MS = [500, 2000, 8000];
const TOLERANCE_SEC = 300;

export function signWebhook(body: string, secret: string, nowSec = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac('sha256', secret).update(`${nowSec}.${body}`).digest('hex');
  return `t=${nowSec},v1=${mac}`;
}

/** For receivers: true when the header signs this exact body with this secret, recently. */
export function verifyWebhook(
  body: string,
  header: string | undefined,
  secret: string,
  nowSec = Math.floor(Date.now() / 1000),
): boolean {
  if (!header) return false;
  const fields = Object.fromEntries(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(fields.t);
  if (!Number.isInteger(t) || Math.abs(nowSec - t) > TOLERANCE_SEC || !fields.v1) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const given = Buffer.from(fields.v1);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export class Webhooks {
  private pending = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly urls: string[],
    private readonly apiKey: string,
    private readonly apiSecret: string,
  ) {}

  send(event: WebhookEvent): void {
    if (this.closed || this.urls.length === 0) return;
    const body = JSON.stringify(event);
    for (const url of this.urls) {
      const delivery = this.deliver(url, body).finally(() => this.pending.delete(delivery));
      this.pending.add(delivery);
    }
  }

  private async deliver(url: string, body: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'liveport-key': this.apiKey,
            [SIGNATURE_HEADER]: signWebhook(body, this.apiSecret),
          },
          signal: AbortSignal.timeout(5000),
        });
        if (res.ok) return;
        if (res.status < 500 && res.status !== 429) return; // the receiver refused it; retrying will not help
      } catch {
        // network error: retry below
      }
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined || this.closed) {
        console.warn(`webhook to ${url} failed after ${attempt + 1} attempts`);
        return;
      }
      await new Promise((r) => setTimeout(r, delay).unref());
    }
  }

  /** Wait (briefly) for deliveries in flight, for a graceful shutdown. */
  async close(timeoutMs = 2000): Promise<void> {
    this.closed = true;
    await Promise.race([
      Promise.allSettled([...this.pending]),
      new Promise((r) => setTimeout(r, timeoutMs).unref()),
    ]);
  }
}
