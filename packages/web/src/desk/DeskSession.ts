import type { StaffInfo } from '@liveport/protocol';

/**
 * A staff member's sign-in on this browser: `POST /api/desk/login` trades e-mail and password
 * for a session token, kept in localStorage so a reload or a second tab stays signed in until
 * the token expires or they log out.
 */

export interface DeskSignIn {
  token: string;
  staff: StaffInfo;
  expiresAt: number;
}

/** A refusal from the node, with its stable code (INVALID_CREDENTIALS, ACCOUNT_LOCKED, …). */
export class DeskSessionError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const STORAGE_KEY = 'liveport.desk.session';

export class DeskSession {
  constructor(
    private readonly origin: string,
    private readonly storage: Storage | undefined = safeLocalStorage(),
  ) {}

  /** The stored sign-in, unless it has expired. */
  get current(): DeskSignIn | undefined {
    try {
      const raw = this.storage?.getItem(STORAGE_KEY);
      const saved = raw ? (JSON.parse(raw) as DeskSignIn) : undefined;
      if (!saved || typeof saved.token !== 'string') return undefined;
      if (typeof saved.expiresAt === 'number' && saved.expiresAt <= Date.now()) {
        this.forget();
        return undefined;
      }
      return saved;
    } catch {
      return undefined;
    }
  }

  async login(email: string, password: string): Promise<DeskSignIn> {
    const signIn = await this.call<DeskSignIn>('POST', '/api/desk/login', { email, password });
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(signIn));
    } catch {
      // Storage blocked: signed in for this page only.
    }
    return signIn;
  }

  /** Who the stored token belongs to, asked of the node; a refused token is forgotten. */
  async me(): Promise<StaffInfo | undefined> {
    const signIn = this.current;
    if (!signIn) return undefined;
    try {
      const answer = await this.call<StaffInfo | { staff: StaffInfo }>(
        'GET',
        '/api/desk/me',
        undefined,
        signIn.token,
      );
      return 'staff' in answer ? answer.staff : answer;
    } catch (err) {
      if (err instanceof DeskSessionError && (err.status === 401 || err.status === 403)) this.forget();
      throw err;
    }
  }

  /** Sign out here, and tell the node so the token stops working (best effort). */
  async logout(): Promise<void> {
    const signIn = this.current;
    this.forget();
    if (!signIn) return;
    await this.call('POST', '/api/desk/logout', {}, signIn.token).catch(() => undefined);
  }

  forget(): void {
    try {
      this.storage?.removeItem(STORAGE_KEY);
    } catch {
      // nothing stored, nothing to remove
    }
  }

  private async call<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${this.origin}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    if (!res.ok) {
      throw new DeskSessionError(
        json.error?.code ?? 'HTTP_' + res.status,
        json.error?.message ?? res.statusText,
        res.status,
      );
    }
    return json as T;
  }
}

function safeLocalStorage(): Storage | undefined {
  try {
    const store = window.localStorage;
    store.getItem('liveport');
    return store;
  } catch {
    return undefined;
  }
}
