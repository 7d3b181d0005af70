import { randomBytes } from 'node:crypto';

/** Server ids: a two-letter kind prefix and 12 random base62-ish characters, e.g. PA_k3J9xQ2mZr1a. */
export function newSid(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString('base64url')}`;
}
