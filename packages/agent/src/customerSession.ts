import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A storefront's signed-in customer, vouched for by the store: `<customerId>.<expiry>.<hmac>`
 * with HMAC-SHA256 over `<customerId>.<expiry>` under a secret the store and the node share.
 * A chat opened with it starts verified, as the customer already proved who they are.
 */
export function signCustomerSession(
  customerId: string,
  secret: string,
  ttlSec = 3600,
  now = Date.now(),
): string {
  const expiry = Math.floor(now / 1000) + ttlSec;
  const body = `${encodeURIComponent(customerId)}.${expiry}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The customer id, or undefined for a forged, malformed or expired token. */
export function verifyCustomerSession(token: string, secret: string, now = Date.now()): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [id, expiry, mac] = parts as [string, string, string];
  if (!/^\d{1,12}$/.test(expiry) || Number(expiry) * 1000 < now || !/^[0-9a-f]{64}$/.test(mac))
    return undefined;
  const expected = createHmac('sha256', secret).update(`${id}.${expiry}`).digest();
  if (!timingSafeEqual(expected, Buffer.from(mac, 'hex'))) return undefined;
  try {
    return decodeURIComponent(id);
  } catch {
    return undefined;
  }
}
