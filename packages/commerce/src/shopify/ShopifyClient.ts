import { setTimeout as sleep } from 'node:timers/promises';
import { CommerceError, type CommerceErrorCode } from '../CommerceError.ts';

export const SHOPIFY_API_VERSION = '2024-10';

export interface ShopifyClientOptions {
  /** https://your-shop.myshopify.com (or a local server that speaks the same API) */
  shopUrl: string;
  accessToken: string;
  apiVersion?: string;
  /** retries of a 429 before giving up (default 4) */
  maxRetries?: number;
  /** the longest single wait a Retry-After may impose on a customer's turn (default 5 s) */
  maxRetryWaitMs?: number;
  /** per request (default 10 s) */
  timeoutMs?: number;
}

type Query = Record<string, string | number | undefined>;

interface Reply {
  status: number;
  body: unknown;
  next?: string;
}

const NEXT_LINK = /<([^>]+)>;\s*rel="?next"?/;

/**
 * HTTP to one shop's Admin REST API: the access-token header, bounded retries of 429 that honour
 * Retry-After, Link-header pagination, and every failure turned into a CommerceError.
 */
export class ShopifyClient {
  private readonly base: URL;
  private readonly version: string;
  private readonly maxRetries: number;
  private readonly maxRetryWaitMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: ShopifyClientOptions) {
    this.base = new URL(options.shopUrl);
    this.version = options.apiVersion ?? SHOPIFY_API_VERSION;
    this.maxRetries = options.maxRetries ?? 4;
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? 5_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** A single resource, or undefined when the shop answers 404. */
  async get<T>(path: string, query?: Query): Promise<T | undefined> {
    const reply = await this.request('GET', this.url(path, query));
    if (reply.status === 404) return undefined;
    return this.expectOk<T>(reply, path);
  }

  /** Every page of a collection, following the Link header's rel="next". */
  async getAll<T>(path: string, key: string, query: Query = {}): Promise<T[] | undefined> {
    const items: T[] = [];
    let url: URL | undefined = this.url(path, { limit: 250, ...query });
    while (url) {
      const reply = await this.request('GET', url);
      if (reply.status === 404) return undefined;
      const page = this.expectOk<Record<string, T[]>>(reply, path)[key];
      if (!Array.isArray(page))
        throw new CommerceError('UPSTREAM_FAILED', `shop answered ${path} without "${key}"`);
      items.push(...page);
      url = reply.next ? this.sameShop(reply.next) : undefined;
    }
    return items;
  }

  /** A write; a 404 becomes `notFound`, a 422 (Shopify refusing the change) INVALID_STATE. */
  async send<T>(
    method: 'POST' | 'PUT',
    path: string,
    body: unknown,
    notFound: CommerceErrorCode,
  ): Promise<T> {
    const reply = await this.request(method, this.url(path), body);
    if (reply.status === 404)
      throw new CommerceError(notFound, `the shop has no ${path.replace(/\.json$/, '')}`);
    if (reply.status === 422) {
      throw new CommerceError('INVALID_STATE', `the shop refused: ${describeErrors(reply.body)}`);
    }
    return this.expectOk<T>(reply, path);
  }

  private url(path: string, query: Query = {}): URL {
    const url = new URL(`/admin/api/${this.version}/${path}`, this.base);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url;
  }

  /** Pagination links are followed only to the shop itself: the access token goes nowhere else. */
  private sameShop(link: string): URL {
    const url = new URL(link, this.base);
    if (url.origin !== this.base.origin) {
      throw new CommerceError(
        'UPSTREAM_FAILED',
        `shop sent a next-page link to another host (${url.origin})`,
      );
    }
    return url;
  }

  private expectOk<T>(reply: Reply, path: string): T {
    if (reply.status >= 200 && reply.status < 300) return reply.body as T;
    if (reply.status === 401 || reply.status === 403) {
      throw new CommerceError(
        'UPSTREAM_FAILED',
        `the shop refused our access token (${reply.status}) on ${path}`,
      );
    }
    throw new CommerceError(
      'UPSTREAM_FAILED',
      `the shop answered ${reply.status} on ${path}: ${describeErrors(reply.body)}`,
    );
  }

  private async request(method: string, url: URL, body?: unknown): Promise<Reply> {
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: {
            'X-Shopify-Access-Token': this.options.accessToken,
            Accept: 'application/json',
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        throw new CommerceError('UPSTREAM_FAILED', `the shop did not answer ${method} ${url.pathname}`, {
          cause: err,
        });
      }
      if (response.status === 429 && attempt < this.maxRetries) {
        await response.body?.cancel();
        await sleep(this.retryDelay(response.headers.get('retry-after'), attempt));
        continue;
      }
      if (response.status === 429) {
        throw new CommerceError('UPSTREAM_FAILED', `the shop kept rate-limiting ${method} ${url.pathname}`);
      }
      const text = await response.text();
      let parsed: unknown = undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        if (response.ok)
          throw new CommerceError('UPSTREAM_FAILED', `the shop sent non-JSON for ${url.pathname}`);
        parsed = text;
      }
      const next = NEXT_LINK.exec(response.headers.get('link') ?? '')?.[1];
      return next
        ? { status: response.status, body: parsed, next }
        : { status: response.status, body: parsed };
    }
  }

  /** Shopify sends Retry-After in seconds (e.g. "2.0"); without one, back off exponentially. */
  private retryDelay(header: string | null, attempt: number): number {
    const seconds = header === null ? Number.NaN : Number.parseFloat(header);
    const wanted = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 500 * 2 ** attempt;
    return Math.min(wanted, this.maxRetryWaitMs);
  }
}

/** Shopify's error bodies are `{ errors: string | string[] | Record<string, string[]> }`. */
function describeErrors(body: unknown): string {
  const errors = typeof body === 'object' && body !== null && 'errors' in body ? body.errors : body;
  if (typeof errors === 'string') return errors;
  if (Array.isArray(errors)) return errors.join('; ');
  if (typeof errors === 'object' && errors !== null) {
    return Object.entries(errors)
      .map(
        ([field, messages]) => `${field} ${Array.isArray(messages) ? messages.join(', ') : String(messages)}`,
      )
      .join('; ');
  }
  return 'no details';
}
