import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, LiveportError } from '@liveport/protocol';

export interface Request {
  method: string;
  url: URL;
  params: Record<string, string>;
  headers: IncomingMessage['headers'];
  /** the body parsed as JSON; {} when empty */
  body: unknown;
}
export type Reply = {
  status?: number;
  json?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** a file streamed as the body (recordings): not read into memory */
  file?: string;
};
export type Handler = (req: Request) => Promise<Reply> | Reply;

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * A deliberately small router: method + path pattern with :params, JSON in and out, and one
 * place that turns any thrown error into `{error: {code, message}}` with the right status.
 */
export class Router {
  private routes: { method: string; pattern: RegExp; keys: string[]; handler: Handler }[] = [];

  add(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const pattern = new RegExp(
      '^' +
        path.replace(/:(\w+)/g, (_m, key: string) => {
          keys.push(key);
          return '([^/]+)';
        }) +
        '/?$',
    );
    this.routes.push({ method, pattern, keys, handler });
    return this;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    let pathMatched = false;
    for (const route of this.routes) {
      const match = route.pattern.exec(url.pathname);
      if (!match) continue;
      pathMatched = true;
      if (route.method !== method && !(route.method === 'GET' && method === 'HEAD')) continue;
      const params: Record<string, string> = {};
      try {
        route.keys.forEach((key, i) => {
          try {
            params[key] = decodeURIComponent(match[i + 1]!);
          } catch {
            throw new LiveportError(ErrorCode.BAD_REQUEST, `malformed ${key} in the path`);
          }
        });
        const body = await readJsonBody(req);
        const reply = await route.handler({ method, url, params, headers: req.headers, body });
        send(res, reply);
      } catch (err) {
        sendError(res, err);
      }
      return true;
    }
    if (pathMatched) {
      sendError(
        res,
        new LiveportError(ErrorCode.METHOD_NOT_ALLOWED, `${method} is not allowed on ${url.pathname}`),
      );
      return true;
    }
    return false;
  }
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE') return {};
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new LiveportError(ErrorCode.PAYLOAD_TOO_LARGE, 'request body over 1 MiB');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new LiveportError(ErrorCode.BAD_REQUEST, 'request body is not valid JSON');
  }
}

export function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent) return;
  const headers: Record<string, string> = { 'cache-control': 'no-store', ...reply.headers };
  if (reply.file !== undefined) {
    res.writeHead(reply.status ?? 200, {
      ...headers,
      'content-type': reply.contentType ?? 'application/octet-stream',
      'content-length': String(statSync(reply.file).size),
    });
    createReadStream(reply.file)
      .on('error', () => res.destroy())
      .pipe(res);
  } else if (reply.json !== undefined) {
    res.writeHead(reply.status ?? 200, { ...headers, 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(reply.json));
  } else {
    res.writeHead(reply.status ?? 200, {
      ...headers,
      'content-type': reply.contentType ?? 'text/plain; charset=utf-8',
    });
    res.end(reply.text ?? '');
  }
}

export function sendError(res: ServerResponse, err: unknown): void {
  const error = err instanceof LiveportError ? err : new LiveportError(ErrorCode.INTERNAL, 'internal error');
  if (!(err instanceof LiveportError)) console.error('request failed', err);
  send(res, { status: error.status, json: { error: error.toJSON() } });
}
