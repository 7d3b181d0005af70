import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** API keys and secrets: key -> secret. */
export type KeyRing = Map<string, string>;

export interface LoadedKeys {
  keys: KeyRing;
  /** true when this start created the key pair (it is printed once) */
  created: boolean;
  file: string;
}

/**
 * The node's API credentials live in `<dataDir>/keys.json`, created with a fresh key and
 * secret on first start and readable only by the owner.
 */
export function loadOrCreateKeys(dataDir: string, configured: Record<string, string> = {}): LoadedKeys {
  const file = join(dataDir, 'keys.json');
  const keys: KeyRing = new Map(Object.entries(configured));
  let created = false;
  if (existsSync(file)) {
    let stored: unknown;
    try {
      stored = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`${file} is not valid JSON (${(err as Error).message}); fix or delete it`);
    }
    const entries = (stored as { keys?: Record<string, unknown> })?.keys;
    if (!entries || typeof entries !== 'object') throw new Error(`${file} has no "keys" object`);
    for (const [key, secret] of Object.entries(entries)) {
      if (typeof secret === 'string' && secret.length >= 32) keys.set(key, secret);
    }
  }
  if (keys.size === 0) {
    mkdirSync(dataDir, { recursive: true });
    keys.set(`API${randomBytes(9).toString('base64url')}`, randomBytes(32).toString('base64url'));
    writeFileSync(file, JSON.stringify({ keys: Object.fromEntries(keys) }, null, 2) + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
    created = true;
  }
  return { keys, created, file };
}
