import type { z } from 'zod';

export type FrameParseResult<T> =
  { ok: true; message: T } | { ok: false; code: 'MESSAGE_INVALID' | 'PAYLOAD_TOO_LARGE'; message: string };

/** Validate one JSON frame against a schema; garbage gets a reason, never an exception. */
export function parseJsonFrame<S extends z.ZodType>(
  schema: S,
  raw: string | Buffer,
  maxBytes: number,
): FrameParseResult<z.infer<S>> {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  if (size > maxBytes)
    return { ok: false, code: 'PAYLOAD_TOO_LARGE', message: `frame over ${maxBytes} bytes` };
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    return { ok: false, code: 'MESSAGE_INVALID', message: 'frame is not JSON' };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      code: 'MESSAGE_INVALID',
      message: issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'invalid message',
    };
  }
  return { ok: true, message: parsed.data };
}
