/** What a member of staff may do at the desk: supervisors and admins also take escalations. */
export type StaffRole = 'agent' | 'supervisor' | 'admin';

/** Only 'online' staff are offered work; 'away' and 'offline' keep what they already have. */
export type StaffStatus = 'online' | 'away' | 'offline';

/** A member of staff as the rest of Liveport sees them; the password hash never leaves the directory. */
export interface StaffMember {
  id: string;
  /** as typed when the account was made; matched case-insensitively */
  email: string;
  name: string;
  role: StaffRole;
  /** e.g. 'after_sales', 'sales', 'product:furniture', 'video' */
  skills: string[];
  /** BCP-47 primary subtags: ['en', 'es'] */
  languages: string[];
  /** how many conversations they hold at once */
  maxConcurrent: number;
  status: StaffStatus;
  /** last login, request or status change (ms since epoch) */
  lastActivityAt: number;
  createdAt: number;
}

export interface NewStaff {
  email: string;
  name: string;
  password: string;
  role?: StaffRole;
  skills?: string[];
  languages?: string[];
  /** default 3 */
  maxConcurrent?: number;
}

export type StaffPatch = Partial<
  Pick<StaffMember, 'name' | 'role' | 'skills' | 'languages' | 'maxConcurrent'>
>;

export interface StaffSession {
  /** the bearer token; shown once, only its SHA-256 is stored */
  token: string;
  staff: StaffMember;
  /** when it lapses unless used (each use pushes it back) */
  expiresAt: number;
}

export interface StaffDirectoryOptions {
  /** how long a session lives after its last use (default 12 h) */
  sessionTtlMs?: number;
  /** failed logins for one email that lock it (default 5) ... */
  maxFailedLogins?: number;
  /** ... within this window (default 15 min) */
  lockoutWindowMs?: number;
  /** the time source; tests pin it */
  clock?: { now(): number };
}
