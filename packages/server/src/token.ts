import { createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCode, Grants, LiveportError, TokenClaims, type GrantsInput } from '@liveport/protocol';

/**
 * Access tokens: compact JWS (RFC 7515) with HS256 only, signed with an API secret and naming
 * its API key in `iss`. Only HS256 is accepted on the way in, so "alg: none" and key
 * confusion tricks cannot pass.
 */
export interface MintOptions {
  apiKey: string;
  apiSecret: string;
  identity: string;
  name?: string;
  metadata?: string;
  /** seconds the token stays valid; default 6 hours */
  ttlSec?: number;
  grants: GrantsInput;
  /** seconds since the epoch; for tests */
  now?: number;
}

const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
const CLOCK_SKEW_SEC = 10;

export function mintToken(options: MintOptions): string {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const claims: TokenClaims = TokenClaims.parse({
    iss: options.apiKey,
    sub: options.identity,
    name: options.name,
    metadata: options.metadata,
    iat: now,
    nbf: now - CLOCK_SKEW_SEC,
    exp: now + (options.ttlSec ?? 6 * 3600),
    grants: Grants.parse(options.grants),
  });
  const body = `${HEADER}.${b64url(JSON.stringify(claims))}`;
  return `${body}.${sign(body, options.apiSecret)}`;
}

/** Check a token's form, signature and times; returns its claims or throws a LiveportError. */
export function verifyToken(
  token: string,
  secretFor: (apiKey: string) => string | undefined,
  nowSec = Math.floor(Date.now() / 1000),
): TokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new LiveportError(ErrorCode.TOKEN_INVALID, 'token is not a JWT');
  const [headerPart, claimsPart, signature] = parts as [string, string, string];
  const header = decodeJson(headerPart);
  if (!header || header.alg !== 'HS256') {
    throw new LiveportError(ErrorCode.TOKEN_INVALID, 'token must be signed with HS256');
  }
  const raw = decodeJson(claimsPart);
  const parsed = TokenClaims.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LiveportError(
      ErrorCode.TOKEN_INVALID,
      `token claims invalid: ${issue?.path.join('.')} ${issue?.message}`,
    );
  }
  const claims = parsed.data;
  const secret = secretFor(claims.iss);
  if (!secret)
    throw new LiveportError(ErrorCode.TOKEN_SIGNATURE_INVALID, 'token was issued by an unknown API key');
  const expected = Buffer.from(sign(`${headerPart}.${claimsPart}`, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new LiveportError(ErrorCode.TOKEN_SIGNATURE_INVALID, 'token signature does not match');
  }
  if (claims.exp + CLOCK_SKEW_SEC < nowSec)
    throw new LiveportError(ErrorCode.TOKEN_EXPIRED, 'token has expired');
  if (claims.nbf !== undefined && claims.nbf - CLOCK_SKEW_SEC > nowSec) {
    throw new LiveportError(ErrorCode.TOKEN_NOT_YET_VALID, 'token is not valid yet');
  }
  return claims;
}

function sign(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
