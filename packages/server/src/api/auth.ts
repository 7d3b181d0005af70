import { timingSafeEqual } from 'node:crypto';
import { ErrorCode, LiveportError, type Grants } from '@liveport/protocol';
import type { KeyRing } from '../keys.ts';
import { verifyToken } from '../token.ts';
import type { Request } from '../http/Router.ts';

/** Who is calling the REST API: the holder of an API secret (all rights) or a token's grants. */
export type ApiCaller = { kind: 'key'; apiKey: string } | { kind: 'token'; identity: string; grants: Grants };

export function authenticate(req: Request, keys: KeyRing): ApiCaller {
  const header = req.headers.authorization;
  if (!header) {
    throw new LiveportError(
      ErrorCode.UNAUTHORIZED,
      'send Authorization: Basic <key:secret> or Bearer <token>',
    );
  }
  const [scheme, value = ''] = header.split(' ', 2);
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const apiKey = decoded.slice(0, colon);
    const secret = keys.get(apiKey);
    const given = Buffer.from(decoded.slice(colon + 1));
    if (
      colon < 0 ||
      !secret ||
      given.length !== secret.length ||
      !timingSafeEqual(given, Buffer.from(secret))
    ) {
      throw new LiveportError(ErrorCode.UNAUTHORIZED, 'API key or secret is wrong');
    }
    return { kind: 'key', apiKey };
  }
  if (scheme?.toLowerCase() === 'bearer') {
    const claims = verifyToken(value, (k) => keys.get(k));
    return { kind: 'token', identity: claims.sub, grants: claims.grants };
  }
  throw new LiveportError(ErrorCode.UNAUTHORIZED, `unsupported authorization scheme ${scheme}`);
}

export type ApiRight = 'roomList' | 'roomCreate' | 'roomAdmin';

/** Throws GRANT_MISSING unless the caller holds the right (for roomAdmin: on this room). */
export function requireRight(caller: ApiCaller, right: ApiRight, room?: string): void {
  if (caller.kind === 'key') return;
  const g = caller.grants;
  const ok =
    right === 'roomAdmin'
      ? g.roomCreate || (g.roomAdmin && g.room !== undefined && g.room === room)
      : g[right];
  if (!ok)
    throw new LiveportError(
      ErrorCode.GRANT_MISSING,
      `token lacks the ${right} grant${room ? ` for room ${room}` : ''}`,
    );
}
