/** Stable, machine-readable error codes shared by the REST API, signaling and the SDK. */
export const ErrorCode = {
  BAD_REQUEST: 'BAD_REQUEST',
  MESSAGE_INVALID: 'MESSAGE_INVALID',
  PROTOCOL_UNSUPPORTED: 'PROTOCOL_UNSUPPORTED',
  NOT_JOINED: 'NOT_JOINED',
  ALREADY_JOINED: 'ALREADY_JOINED',
  TOKEN_MISSING: 'TOKEN_MISSING',
  TOKEN_INVALID: 'TOKEN_INVALID',
  TOKEN_SIGNATURE_INVALID: 'TOKEN_SIGNATURE_INVALID',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  TOKEN_NOT_YET_VALID: 'TOKEN_NOT_YET_VALID',
  TOKEN_ROOM_MISMATCH: 'TOKEN_ROOM_MISMATCH',
  GRANT_MISSING: 'GRANT_MISSING',
  UNAUTHORIZED: 'UNAUTHORIZED',
  ROOM_NOT_FOUND: 'ROOM_NOT_FOUND',
  ROOM_EXISTS: 'ROOM_EXISTS',
  ROOM_FULL: 'ROOM_FULL',
  PARTICIPANT_NOT_FOUND: 'PARTICIPANT_NOT_FOUND',
  TRACK_NOT_FOUND: 'TRACK_NOT_FOUND',
  TRACK_LIMIT: 'TRACK_LIMIT',
  NEGOTIATION_FAILED: 'NEGOTIATION_FAILED',
  RATE_LIMITED: 'RATE_LIMITED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  INTERNAL: 'INTERNAL',
  CONVERSATION_NOT_FOUND: 'CONVERSATION_NOT_FOUND',
  RESUME_DENIED: 'RESUME_DENIED',
  CONVERSATION_CLOSED: 'CONVERSATION_CLOSED',
  AGENT_UNAVAILABLE: 'AGENT_UNAVAILABLE',
  /** desk login: wrong email or password (deliberately not saying which) */
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  /** desk login: too many failures for this email; see Retry-After */
  ACCOUNT_LOCKED: 'ACCOUNT_LOCKED',
  /** a desk session token that is unknown, expired or logged out */
  SESSION_EXPIRED: 'SESSION_EXPIRED',
  FORBIDDEN: 'FORBIDDEN',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error that can cross the wire: a stable code plus a human message. */
export class LiveportError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number = statusOf(code),
  ) {
    super(message);
    this.name = 'LiveportError';
  }
  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

function statusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.TOKEN_MISSING:
    case ErrorCode.TOKEN_INVALID:
    case ErrorCode.TOKEN_SIGNATURE_INVALID:
    case ErrorCode.TOKEN_EXPIRED:
    case ErrorCode.TOKEN_NOT_YET_VALID:
    case ErrorCode.UNAUTHORIZED:
    case ErrorCode.INVALID_CREDENTIALS:
    case ErrorCode.SESSION_EXPIRED:
      return 401;
    case ErrorCode.GRANT_MISSING:
    case ErrorCode.RESUME_DENIED:
    case ErrorCode.TOKEN_ROOM_MISMATCH:
    case ErrorCode.FORBIDDEN:
      return 403;
    case ErrorCode.ROOM_NOT_FOUND:
    case ErrorCode.PARTICIPANT_NOT_FOUND:
    case ErrorCode.TRACK_NOT_FOUND:
    case ErrorCode.NOT_FOUND:
    case ErrorCode.CONVERSATION_NOT_FOUND:
      return 404;
    case ErrorCode.METHOD_NOT_ALLOWED:
      return 405;
    case ErrorCode.ROOM_EXISTS:
    case ErrorCode.ALREADY_JOINED:
    case ErrorCode.CONVERSATION_CLOSED:
      return 409;
    case ErrorCode.PAYLOAD_TOO_LARGE:
      return 413;
    case ErrorCode.RATE_LIMITED:
    case ErrorCode.ACCOUNT_LOCKED:
      return 429;
    case ErrorCode.INTERNAL:
      return 500;
    case ErrorCode.AGENT_UNAVAILABLE:
      return 503;
    default:
      return 400;
  }
}
