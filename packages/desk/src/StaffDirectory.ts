import { createHash, randomBytes, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { DeskError } from './DeskError.ts';
import { primaryLanguages } from './language.ts';
import { DUMMY_PASSWORD_HASH, hashPassword, needsRehash, verifyPassword } from './passwords.ts';
import { normalizeSkills } from './skill.ts';
import type {
  NewStaff,
  StaffDirectoryOptions,
  StaffMember,
  StaffPatch,
  StaffRole,
  StaffSession,
  StaffStatus,
} from './StaffDirectoryTypes.ts';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const ROLES: readonly StaffRole[] = ['agent', 'supervisor', 'admin'];
const STATUSES: readonly StaffStatus[] = ['online', 'away', 'offline'];
const MAX_CONCURRENT_LIMIT = 50;
const TOKEN_BYTES = 32;

// Tables are prefixed so the desk can share one SQLite file with the conversation store.
const DDL = `
CREATE TABLE IF NOT EXISTS desk_staff (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  email_key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
  password_hash TEXT NOT NULL,
  skills TEXT NOT NULL,
  languages TEXT NOT NULL,
  max_concurrent INTEGER NOT NULL CHECK (max_concurrent >= 1),
  status TEXT NOT NULL CHECK (status IN ('online', 'away', 'offline')),
  last_activity_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS desk_sessions (
  token_hash TEXT PRIMARY KEY,
  staff_id TEXT NOT NULL REFERENCES desk_staff(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS desk_sessions_by_staff ON desk_sessions(staff_id);
CREATE TABLE IF NOT EXISTS desk_login_failures (
  email_key TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS desk_login_failures_by_email ON desk_login_failures(email_key, at);
`;

interface StaffRow {
  id: string;
  email: string;
  email_key: string;
  name: string;
  role: StaffRole;
  password_hash: string;
  skills: string;
  languages: string;
  max_concurrent: number;
  status: StaffStatus;
  last_activity_at: number;
  created_at: number;
}

/**
 * The people who staff the desk: their accounts, what they can handle (skills, languages, how
 * many conversations at once), and their login sessions. One SQLite database, shared or its own.
 */
export class StaffDirectory {
  readonly sessionTtlMs: number;
  private readonly db: Database.Database;
  private readonly ownsDb: boolean;
  private readonly maxFailedLogins: number;
  private readonly lockoutWindowMs: number;
  private readonly clock: { now(): number };

  constructor(db: Database.Database | string, options: StaffDirectoryOptions = {}) {
    this.ownsDb = typeof db === 'string';
    this.db = typeof db === 'string' ? new Database(db) : db;
    if (this.ownsDb) this.db.pragma('journal_mode = WAL');
    this.sessionTtlMs = options.sessionTtlMs ?? 12 * HOUR_MS;
    this.maxFailedLogins = options.maxFailedLogins ?? 5;
    this.lockoutWindowMs = options.lockoutWindowMs ?? 15 * MINUTE_MS;
    this.clock = options.clock ?? Date;
    this.db.exec(DDL);
  }

  async createStaff(input: NewStaff): Promise<StaffMember> {
    const email = checkEmail(input.email);
    const name = checkName(input.name);
    const role = checkRole(input.role ?? 'agent');
    const skills = normalizeSkills(input.skills ?? []);
    const languages = primaryLanguages(input.languages ?? []);
    const maxConcurrent = checkMaxConcurrent(input.maxConcurrent ?? 3);
    // Checked before hashing so a duplicate fails fast; the UNIQUE index still decides races.
    if (this.row(emailKey(email))) throw emailTaken(email);
    const passwordHash = await hashPassword(input.password);
    const now = this.clock.now();
    const id = randomUUID();
    try {
      this.db
        .prepare(
          `INSERT INTO desk_staff (id, email, email_key, name, role, password_hash, skills, languages,
             max_concurrent, status, last_activity_at, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'offline', ?, ?)`,
        )
        .run(
          id,
          email,
          emailKey(email),
          name,
          role,
          passwordHash,
          JSON.stringify(skills),
          JSON.stringify(languages),
          maxConcurrent,
          now,
          now,
        );
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw emailTaken(email);
      throw err;
    }
    return this.require(id);
  }

  updateStaff(id: string, patch: StaffPatch): StaffMember {
    const current = this.require(id);
    const next = {
      name: patch.name === undefined ? current.name : checkName(patch.name),
      role: patch.role === undefined ? current.role : checkRole(patch.role),
      skills: patch.skills === undefined ? current.skills : normalizeSkills(patch.skills),
      languages: patch.languages === undefined ? current.languages : primaryLanguages(patch.languages),
      maxConcurrent:
        patch.maxConcurrent === undefined ? current.maxConcurrent : checkMaxConcurrent(patch.maxConcurrent),
    };
    this.db
      .prepare(
        'UPDATE desk_staff SET name = ?, role = ?, skills = ?, languages = ?, max_concurrent = ? WHERE id = ?',
      )
      .run(
        next.name,
        next.role,
        JSON.stringify(next.skills),
        JSON.stringify(next.languages),
        next.maxConcurrent,
        id,
      );
    return this.require(id);
  }

  setStatus(id: string, status: StaffStatus): StaffMember {
    if (!STATUSES.includes(status)) throw new DeskError('INVALID_INPUT', `unknown status "${status}"`);
    this.require(id);
    this.db
      .prepare('UPDATE desk_staff SET status = ?, last_activity_at = ? WHERE id = ?')
      .run(status, this.clock.now(), id);
    return this.require(id);
  }

  /** Also ends every session of theirs: whoever knew the old password is logged out with it. */
  async setPassword(id: string, password: string): Promise<void> {
    const member = this.require(id);
    const passwordHash = await hashPassword(password);
    this.db.transaction(() => {
      this.db.prepare('UPDATE desk_staff SET password_hash = ? WHERE id = ?').run(passwordHash, id);
      this.db.prepare('DELETE FROM desk_sessions WHERE staff_id = ?').run(id);
      this.db.prepare('DELETE FROM desk_login_failures WHERE email_key = ?').run(emailKey(member.email));
    })();
  }

  list(): StaffMember[] {
    const rows = this.db
      .prepare('SELECT * FROM desk_staff ORDER BY name COLLATE NOCASE, email_key')
      .all() as StaffRow[];
    return rows.map(toMember);
  }

  get(id: string): StaffMember | undefined {
    const row = this.rowById(id);
    return row && toMember(row);
  }

  byEmail(email: string): StaffMember | undefined {
    const row = this.row(emailKey(email));
    return row && toMember(row);
  }

  /** False when there was no such account. Their sessions end with it. */
  remove(id: string): boolean {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM desk_sessions WHERE staff_id = ?').run(id);
      return this.db.prepare('DELETE FROM desk_staff WHERE id = ?').run(id).changes > 0;
    })();
  }

  /**
   * Wrong password and unknown email fail alike (INVALID_CREDENTIALS) and take the same time.
   * Too many failures for one email within the window lock it (ACCOUNT_LOCKED) whether or not
   * the account exists, so the lock does not reveal who works here either.
   */
  async login(email: string, password: string): Promise<StaffSession> {
    if (typeof email !== 'string' || typeof password !== 'string') {
      throw new DeskError('INVALID_CREDENTIALS', 'wrong email or password');
    }
    const key = emailKey(email);
    const now = this.clock.now();
    this.forgetExpired(now);
    const failures = this.db
      .prepare('SELECT at FROM desk_login_failures WHERE email_key = ? AND at > ? ORDER BY at DESC')
      .all(key, now - this.lockoutWindowMs) as { at: number }[];
    const oldestCounted = failures[this.maxFailedLogins - 1];
    if (oldestCounted) {
      throw new DeskError('ACCOUNT_LOCKED', 'too many failed logins; try again later', {
        retryAfterMs: oldestCounted.at + this.lockoutWindowMs - now,
      });
    }
    // The attempt counts as a failure from the moment it starts: hashing is asynchronous, and a
    // burst of parallel guesses must not all slip past the check above before any of them fails.
    this.db.prepare('INSERT INTO desk_login_failures (email_key, at) VALUES (?, ?)').run(key, now);

    const row = this.row(key);
    const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_PASSWORD_HASH);
    // Read again: the account may have been removed or its password changed while we hashed.
    const member = row && this.rowById(row.id);
    if (!ok || !member || member.password_hash !== row?.password_hash) {
      throw new DeskError('INVALID_CREDENTIALS', 'wrong email or password');
    }
    this.db.prepare('DELETE FROM desk_login_failures WHERE email_key = ?').run(key);
    if (needsRehash(member.password_hash)) {
      // A password from before today's rules (too short, say) keeps its old hash rather than
      // failing a correct login.
      const rehashed = await hashPassword(password).catch(() => undefined);
      if (rehashed) {
        this.db
          .prepare('UPDATE desk_staff SET password_hash = ? WHERE id = ? AND password_hash = ?')
          .run(rehashed, member.id, member.password_hash);
      }
    }

    const loginAt = this.clock.now();
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const expiresAt = loginAt + this.sessionTtlMs;
    this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT INTO desk_sessions (token_hash, staff_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
        )
        .run(tokenHash(token), member.id, loginAt, expiresAt);
      this.db.prepare('UPDATE desk_staff SET last_activity_at = ? WHERE id = ?').run(loginAt, member.id);
    })();
    return { token, staff: this.require(member.id), expiresAt };
  }

  /** The member of staff a token belongs to; each use pushes the session's expiry back. */
  authenticate(token: string): StaffMember {
    const now = this.clock.now();
    const hash = typeof token === 'string' && token.length > 0 ? tokenHash(token) : '';
    const session = this.db
      .prepare('SELECT staff_id, expires_at FROM desk_sessions WHERE token_hash = ?')
      .get(hash) as { staff_id: string; expires_at: number } | undefined;
    if (!session || session.expires_at <= now) {
      if (session) this.db.prepare('DELETE FROM desk_sessions WHERE token_hash = ?').run(hash);
      throw new DeskError('SESSION_EXPIRED', 'the session has expired; log in again');
    }
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE desk_sessions SET expires_at = ? WHERE token_hash = ?')
        .run(now + this.sessionTtlMs, hash);
      this.db.prepare('UPDATE desk_staff SET last_activity_at = ? WHERE id = ?').run(now, session.staff_id);
    })();
    return this.require(session.staff_id);
  }

  logout(token: string): void {
    if (typeof token !== 'string' || token.length === 0) return;
    this.db.prepare('DELETE FROM desk_sessions WHERE token_hash = ?').run(tokenHash(token));
  }

  /** Closes the database if the directory opened it. */
  close(): void {
    if (this.ownsDb) this.db.close();
  }

  private row(key: string): StaffRow | undefined {
    return this.db.prepare('SELECT * FROM desk_staff WHERE email_key = ?').get(key) as StaffRow | undefined;
  }

  private rowById(id: string): StaffRow | undefined {
    return this.db.prepare('SELECT * FROM desk_staff WHERE id = ?').get(id) as StaffRow | undefined;
  }

  private require(id: string): StaffMember {
    const member = this.get(id);
    if (!member) throw new DeskError('NOT_FOUND', `no member of staff with id ${id}`);
    return member;
  }

  // Housekeeping rides on logins, which are rare enough for it to cost nothing.
  private forgetExpired(now: number): void {
    this.db.prepare('DELETE FROM desk_sessions WHERE expires_at <= ?').run(now);
    this.db.prepare('DELETE FROM desk_login_failures WHERE at <= ?').run(now - this.lockoutWindowMs);
  }
}

function toMember(row: StaffRow): StaffMember {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    skills: JSON.parse(row.skills) as string[],
    languages: JSON.parse(row.languages) as string[],
    maxConcurrent: row.max_concurrent,
    status: row.status,
    lastActivityAt: row.last_activity_at,
    createdAt: row.created_at,
  };
}

// Unicode-aware lowercasing: SQLite's NOCASE only folds ASCII.
function emailKey(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

// Only a SHA-256 of the token is stored: a leaked database holds no usable session. The token
// has 256 random bits, so a fast unsalted hash is enough (no password-style KDF needed).
function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function emailTaken(email: string): DeskError {
  return new DeskError('ALREADY_EXISTS', `a member of staff with email ${email} already exists`);
}

function checkEmail(email: string): string {
  const trimmed = typeof email === 'string' ? email.normalize('NFKC').trim() : '';
  if (trimmed.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(trimmed)) {
    throw new DeskError('INVALID_INPUT', `"${String(email)}" is not an email address`);
  }
  return trimmed;
}

function checkName(name: string): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (!trimmed || trimmed.length > 200)
    throw new DeskError('INVALID_INPUT', 'a name is required (1–200 characters)');
  return trimmed;
}

function checkRole(role: StaffRole): StaffRole {
  if (!ROLES.includes(role)) throw new DeskError('INVALID_INPUT', `unknown role "${role}"`);
  return role;
}

function checkMaxConcurrent(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_CONCURRENT_LIMIT) {
    throw new DeskError(
      'INVALID_INPUT',
      `maxConcurrent must be a whole number from 1 to ${MAX_CONCURRENT_LIMIT}`,
    );
  }
  return n;
}
