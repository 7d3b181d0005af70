/**
 * Errors the desk raises. The code is stable (the desk API, the desk UI and tests match on it);
 * the message is for humans and may change.
 */
export const DeskErrorCode = {
  /** wrong email or password; deliberately does not say which */
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  /** too many failed logins for this email; `retryAfterMs` says when to try again */
  ACCOUNT_LOCKED: 'ACCOUNT_LOCKED',
  /** the session token is unknown, expired or logged out: log in again */
  SESSION_EXPIRED: 'SESSION_EXPIRED',
  NOT_FOUND: 'NOT_FOUND',
  /** an account with this email already exists */
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  /** the thing exists but is not in a state that allows this (accept an offer that was withdrawn) */
  INVALID_STATE: 'INVALID_STATE',
  /** the caller may not do this (an agent transferring someone else's conversation) */
  FORBIDDEN: 'FORBIDDEN',
  INVALID_INPUT: 'INVALID_INPUT',
} as const;
export type DeskErrorCode = (typeof DeskErrorCode)[keyof typeof DeskErrorCode];

const STATUS: Record<DeskErrorCode, number> = {
  INVALID_CREDENTIALS: 401,
  ACCOUNT_LOCKED: 429,
  SESSION_EXPIRED: 401,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  INVALID_STATE: 409,
  FORBIDDEN: 403,
  INVALID_INPUT: 400,
};

export class DeskError extends Error {
  /** the HTTP status an edge would answer with */
  readonly status: number;
  /** for ACCOUNT_LOCKED: how long until a login may be tried again (a Retry-After) */
  readonly retryAfterMs?: number;

  constructor(
    readonly code: DeskErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    this.name = 'DeskError';
    this.status = STATUS[code];
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  toJSON(): { code: DeskErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function isDeskError(err: unknown, code?: DeskErrorCode): err is DeskError {
  return err instanceof DeskError && (code === undefined || err.code === code);
}
