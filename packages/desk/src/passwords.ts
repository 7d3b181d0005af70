import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { DeskError } from './DeskError.ts';

/**
 * Staff passwords, stored as `scrypt$N$r$p$saltB64$hashB64`. The string names its own cost, so
 * the cost can be raised later: old hashes still verify, and `needsRehash` tells the login to
 * store a fresh one while it holds the plain password.
 */
export interface ScryptParams {
  /** CPU/memory cost, a power of two */
  N: number;
  r: number;
  p: number;
}

/** Around 50–100 ms and 32 MiB per hash on a small server: slow for a guesser, fine for a login. */
export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 15, r: 8, p: 1 });

export const MIN_PASSWORD_LENGTH = 8;
// Bounds the work a single login request can ask for; no one types a longer passphrase.
const MAX_PASSWORD_LENGTH = 1024;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

// Hashes read back from the database are trusted, but not blindly: a corrupted or planted row
// must not make one login allocate gigabytes.
const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;
const MAX_P = 16;

export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<string> {
  const normalized = normalize(password);
  const length = [...normalized].length;
  if (length < MIN_PASSWORD_LENGTH) {
    throw new DeskError('INVALID_INPUT', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw new DeskError('INVALID_INPUT', `a password may have at most ${MAX_PASSWORD_LENGTH} characters`);
  }
  checkParams(params);
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(normalized, salt, KEY_BYTES, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** False for a wrong password and for a hash it cannot read; it never throws for either. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parse(encoded);
  if (!parsed) return false;
  const normalized = normalize(password);
  if (normalized.length > MAX_PASSWORD_LENGTH * 2) return false;
  const key = await derive(normalized, parsed.salt, parsed.hash.length, parsed.params);
  return timingSafeEqual(key, parsed.hash);
}

/** True when the hash was made with other parameters than `params` (or cannot be read at all). */
export function needsRehash(encoded: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): boolean {
  const parsed = parse(encoded);
  if (!parsed) return true;
  return (
    parsed.params.N !== params.N ||
    parsed.params.r !== params.r ||
    parsed.params.p !== params.p ||
    parsed.hash.length !== KEY_BYTES
  );
}

/**
 * Verified against when a login names an email nobody has, so an unknown email costs the same
 * time as a wrong password and the response time does not reveal who works here. No password
 * hashes to it (it was made from discarded random bytes); a test keeps it on the current params.
 */
export const DUMMY_PASSWORD_HASH =
  'scrypt$32768$8$1$guGBajW04NCXhJVZkAbmxA==$J4+7Oecqcy7Q8MFMAg3JNd33T37jtWXfTBPGK8lWuR8=';

// The same password typed on two keyboards (a composed "é" or "e" + combining accent) must be
// the same password.
function normalize(password: string): string {
  return password.normalize('NFKC');
}

function checkParams({ N, r, p }: ScryptParams): void {
  const ok =
    Number.isInteger(N) &&
    N > 1 &&
    (N & (N - 1)) === 0 &&
    Number.isInteger(r) &&
    r >= 1 &&
    memoryFor({ N, r, p }) <= MAX_SCRYPT_MEMORY &&
    Number.isInteger(p) &&
    p >= 1 &&
    p <= MAX_P;
  if (!ok) throw new DeskError('INVALID_INPUT', `unsupported scrypt parameters N=${N} r=${r} p=${p}`);
}

/** scrypt's working set in bytes, as OpenSSL counts it against `maxmem` */
function memoryFor({ N, r, p }: ScryptParams): number {
  return 128 * r * (N + p + 2);
}

function parse(encoded: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | undefined {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map((part) => (/^\d+$/.test(part) ? Number(part) : NaN)) as [
    number,
    number,
    number,
  ];
  try {
    checkParams({ N, r, p });
  } catch {
    return undefined;
  }
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const hash = Buffer.from(parts[5] ?? '', 'base64');
  if (salt.length < 8 || hash.length < 16 || hash.length > 64) return undefined;
  return { params: { N, r, p }, salt, hash };
}

function derive(
  password: string,
  salt: Buffer,
  keyLength: number,
  { N, r, p }: ScryptParams,
): Promise<Buffer> {
  // Node refuses any scrypt needing more than `maxmem`, whose default (32 MiB) is just under what
  // N=2^15, r=8 needs; allow twice what these parameters need.
  const maxmem = 2 * memoryFor({ N, r, p });
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, { N, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}
