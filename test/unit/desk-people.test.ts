import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import {
  DEMO_STAFF,
  DeskError,
  ManualClock,
  StaffDirectory,
  hashPassword,
  needsRehash,
  seedDemoStaff,
  verifyPassword,
} from '@liveport/desk';
import { DUMMY_PASSWORD_HASH } from '../../packages/desk/src/passwords.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

async function codeOf(work: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (err) {
    assert.ok(err instanceof DeskError, `expected a DeskError, got ${String(err)}`);
    return err.code;
  }
  return 'no error';
}

function directory(options: { sessionTtlMs?: number } = {}): { staff: StaffDirectory; clock: ManualClock } {
  const clock = new ManualClock();
  return { staff: new StaffDirectory(':memory:', { ...options, clock }), clock };
}

async function withAna(options: { sessionTtlMs?: number } = {}) {
  const { staff, clock } = directory(options);
  const ana = await staff.createStaff({
    email: 'Ana.Garcia@Desk.Example',
    name: 'Ana García',
    password: 'correct horse',
    skills: ['after_sales', 'Video'],
    languages: ['es-ES', 'en'],
  });
  return { staff, clock, ana };
}

describe('passwords', () => {
  it('are stored as a self-describing scrypt string with a fresh salt each time', async () => {
    const first = await hashPassword('correct horse');
    const second = await hashPassword('correct horse');
    assert.match(first, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    assert.notEqual(first, second);
  });

  it('verify the right password and refuse a wrong one', async () => {
    const hash = await hashPassword('correct horse');
    assert.equal(await verifyPassword('correct horse', hash), true);
    assert.equal(await verifyPassword('correct horsE', hash), false);
    assert.equal(await verifyPassword('correct horse', 'not a hash'), false);
  });

  it('treat the same text typed composed or decomposed as the same password', async () => {
    const hash = await hashPassword('contrase\u00f1a segura');
    assert.equal(await verifyPassword('contrasen\u0303a segura', hash), true);
  });

  it('must have at least 8 characters', async () => {
    assert.equal(await codeOf(hashPassword('seven77')), 'INVALID_INPUT');
  });

  it('need a rehash when made with other parameters, and still verify until then', async () => {
    const weak = await hashPassword('correct horse', { N: 2 ** 10, r: 8, p: 1 });
    assert.equal(needsRehash(weak), true);
    assert.equal(await verifyPassword('correct horse', weak), true);
    assert.equal(needsRehash(await hashPassword('correct horse')), false);
  });

  it('keep the unknown-email dummy hash on the current parameters, so it costs what a real one does', () => {
    assert.equal(needsRehash(DUMMY_PASSWORD_HASH), false);
  });
});

describe('StaffDirectory: accounts', () => {
  it('creates staff with normalised skills and languages, offline, three conversations at once', async () => {
    const { ana } = await withAna();
    assert.equal(ana.email, 'Ana.Garcia@Desk.Example');
    assert.deepEqual(ana.skills, ['after_sales', 'video']);
    assert.deepEqual(ana.languages, ['es', 'en']);
    assert.equal(ana.role, 'agent');
    assert.equal(ana.status, 'offline');
    assert.equal(ana.maxConcurrent, 3);
    assert.equal('passwordHash' in ana || 'password_hash' in ana, false);
  });

  it('matches emails case-insensitively and refuses a second account for the same address', async () => {
    const { staff, ana } = await withAna();
    assert.equal(staff.byEmail('ana.garcia@desk.example')?.id, ana.id);
    assert.equal(
      await codeOf(
        staff.createStaff({ email: 'ANA.GARCIA@desk.example', name: 'Ana 2', password: 'another one' }),
      ),
      'ALREADY_EXISTS',
    );
    const session = await staff.login('  ana.garcia@DESK.example ', 'correct horse');
    assert.equal(session.staff.id, ana.id);
  });

  it('updates skills, languages, capacity, role and name; status changes record activity', async () => {
    const { staff, clock, ana } = await withAna();
    const updated = staff.updateStaff(ana.id, {
      skills: ['sales', 'product:furniture'],
      languages: ['fr-CA'],
      maxConcurrent: 5,
      role: 'supervisor',
    });
    assert.deepEqual(updated.skills, ['sales', 'product:furniture']);
    assert.deepEqual(updated.languages, ['fr']);
    assert.equal(updated.maxConcurrent, 5);
    assert.equal(updated.role, 'supervisor');
    assert.equal(updated.name, 'Ana García');
    clock.advance(MINUTE_MS);
    assert.equal(staff.setStatus(ana.id, 'online').lastActivityAt, clock.now());
    assert.equal(await codeOf(() => staff.updateStaff(ana.id, { maxConcurrent: 0 })), 'INVALID_INPUT');
    assert.equal(await codeOf(() => staff.updateStaff('nobody', { name: 'x' })), 'NOT_FOUND');
  });

  it('lists and removes staff; a removed account can no longer log in', async () => {
    const { staff, ana } = await withAna();
    const { token } = await staff.login('ana.garcia@desk.example', 'correct horse');
    assert.deepEqual(
      staff.list().map((s) => s.id),
      [ana.id],
    );
    assert.equal(staff.remove(ana.id), true);
    assert.equal(staff.remove(ana.id), false);
    assert.equal(staff.get(ana.id), undefined);
    assert.equal(await codeOf(() => staff.authenticate(token)), 'SESSION_EXPIRED');
    assert.equal(
      await codeOf(staff.login('ana.garcia@desk.example', 'correct horse')),
      'INVALID_CREDENTIALS',
    );
  });

  it('a new password replaces the old one and logs out every session', async () => {
    const { staff, ana } = await withAna();
    const { token } = await staff.login('ana.garcia@desk.example', 'correct horse');
    await staff.setPassword(ana.id, 'battery staple');
    assert.equal(await codeOf(() => staff.authenticate(token)), 'SESSION_EXPIRED');
    assert.equal(
      await codeOf(staff.login('ana.garcia@desk.example', 'correct horse')),
      'INVALID_CREDENTIALS',
    );
    assert.equal((await staff.login('ana.garcia@desk.example', 'battery staple')).staff.id, ana.id);
  });
});

describe('StaffDirectory: logins and sessions', () => {
  it('a login returns a 256-bit token of which only the SHA-256 is stored', async () => {
    const db = new Database(':memory:');
    const clock = new ManualClock();
    const staff = new StaffDirectory(db, { clock });
    await staff.createStaff({ email: 'wei@desk.example', name: 'Wei Chen', password: 'correct horse' });
    const session = await staff.login('wei@desk.example', 'correct horse');
    assert.match(session.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(session.expiresAt, clock.now() + 12 * HOUR_MS);
    const stored = db.prepare('SELECT token_hash FROM desk_sessions').all() as { token_hash: string }[];
    assert.deepEqual(stored, [{ token_hash: createHash('sha256').update(session.token).digest('hex') }]);
    assert.equal(staff.authenticate(session.token).email, 'wei@desk.example');
  });

  it('a wrong password and an unknown email fail with the same error', async () => {
    const { staff } = await withAna();
    const wrong = await staff.login('ana.garcia@desk.example', 'wrong horse').catch((err: unknown) => err);
    const unknown = await staff.login('nobody@desk.example', 'correct horse').catch((err: unknown) => err);
    assert.ok(wrong instanceof DeskError && unknown instanceof DeskError);
    assert.deepEqual(wrong.toJSON(), { code: 'INVALID_CREDENTIALS', message: 'wrong email or password' });
    assert.deepEqual(unknown.toJSON(), wrong.toJSON());
  });

  it('an unknown email costs the time of a password check, so timing does not reveal who has an account', async () => {
    const { staff } = await withAna();
    const timeOf = async (email: string) => {
      const start = performance.now();
      await staff.login(email, 'wrong horse').catch(() => undefined);
      return performance.now() - start;
    };
    const known = Math.min(await timeOf('ana.garcia@desk.example'), await timeOf('ana.garcia@desk.example'));
    const unknown = Math.min(await timeOf('nobody@desk.example'), await timeOf('nobody@desk.example'));
    assert.ok(
      unknown > known * 0.3,
      `unknown email took ${unknown.toFixed(1)} ms, known ${known.toFixed(1)} ms`,
    );
  });

  it('locks an email after 5 failed logins within 15 minutes, even for the right password, until the window passes', async () => {
    const { staff, clock } = await withAna();
    for (let i = 0; i < 5; i++) {
      assert.equal(
        await codeOf(staff.login('ana.garcia@desk.example', `guess ${i}xx`)),
        'INVALID_CREDENTIALS',
      );
      clock.advance(MINUTE_MS);
    }
    const locked = await staff.login('ana.garcia@desk.example', 'correct horse').catch((err: unknown) => err);
    assert.ok(locked instanceof DeskError);
    assert.equal(locked.code, 'ACCOUNT_LOCKED');
    // The first failure was 5 minutes ago; it leaves the window in another 10.
    assert.equal(locked.retryAfterMs, 10 * MINUTE_MS);
    clock.advance(10 * MINUTE_MS - 1);
    assert.equal(await codeOf(staff.login('ana.garcia@desk.example', 'correct horse')), 'ACCOUNT_LOCKED');
    clock.advance(1);
    assert.equal((await staff.login('ana.garcia@desk.example', 'correct horse')).staff.name, 'Ana García');
  });

  it('locks unknown emails the same way, so a lock reveals nothing either', async () => {
    const { staff } = directory();
    for (let i = 0; i < 5; i++)
      await staff.login('nobody@desk.example', 'guess guess').catch(() => undefined);
    assert.equal(await codeOf(staff.login('nobody@desk.example', 'guess guess')), 'ACCOUNT_LOCKED');
  });

  it('counts guesses made in parallel: a burst of 8 gets 5 checked and 3 refused', async () => {
    const { staff } = await withAna();
    const codes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => codeOf(staff.login('ana.garcia@desk.example', `parallel ${i}`))),
    );
    assert.equal(codes.filter((c) => c === 'INVALID_CREDENTIALS').length, 5);
    assert.equal(codes.filter((c) => c === 'ACCOUNT_LOCKED').length, 3);
  });

  it('a successful login forgets earlier failures', async () => {
    const { staff } = await withAna();
    for (let i = 0; i < 4; i++)
      await staff.login('ana.garcia@desk.example', 'wrong horse').catch(() => undefined);
    await staff.login('ana.garcia@desk.example', 'correct horse');
    for (let i = 0; i < 4; i++)
      await staff.login('ana.garcia@desk.example', 'wrong horse').catch(() => undefined);
    assert.equal((await staff.login('ana.garcia@desk.example', 'correct horse')).staff.name, 'Ana García');
  });

  it('a session expires when unused for its lifetime, and each use extends it', async () => {
    const { staff, clock } = await withAna({ sessionTtlMs: HOUR_MS });
    const { token } = await staff.login('ana.garcia@desk.example', 'correct horse');
    clock.advance(HOUR_MS - 1);
    staff.authenticate(token);
    clock.advance(HOUR_MS - 1);
    assert.equal(staff.authenticate(token).name, 'Ana García');
    clock.advance(HOUR_MS);
    assert.equal(await codeOf(() => staff.authenticate(token)), 'SESSION_EXPIRED');
  });

  it('logout ends the session; a made-up token is no session', async () => {
    const { staff } = await withAna();
    const { token } = await staff.login('ana.garcia@desk.example', 'correct horse');
    staff.logout(token);
    assert.equal(await codeOf(() => staff.authenticate(token)), 'SESSION_EXPIRED');
    assert.equal(await codeOf(() => staff.authenticate('x'.repeat(43))), 'SESSION_EXPIRED');
    assert.equal(await codeOf(() => staff.authenticate('')), 'SESSION_EXPIRED');
  });
});

describe('seedDemoStaff', () => {
  it('creates an admin, a supervisor and agents for every widget language, once', async () => {
    const { staff } = directory();
    const passwords = { admin: 'admin pass 1', supervisor: 'supervisor pass', agent: 'agent pass 1' };
    const first = await seedDemoStaff(staff, passwords);
    assert.equal(first.length, DEMO_STAFF.length);
    assert.deepEqual(new Set(first.map((s) => s.role)), new Set(['admin', 'supervisor', 'agent']));
    const agents = first.filter((s) => s.role === 'agent');
    for (const language of ['en', 'es', 'fr', 'de', 'ar', 'zh']) {
      for (const skill of ['after_sales', 'sales']) {
        assert.ok(
          agents.some((a) => a.languages.includes(language) && a.skills.includes(skill)),
          `an agent for ${skill}:${language}`,
        );
      }
    }
    assert.ok(agents.some((a) => a.skills.includes('video')));

    const again = await seedDemoStaff(staff, {
      admin: 'other pass 1',
      supervisor: 'other pass 2',
      agent: 'other pass 3',
    });
    assert.deepEqual(
      again.map((s) => s.id),
      first.map((s) => s.id),
    );
    assert.equal(staff.list().length, DEMO_STAFF.length);
    const supervisor = first.find((s) => s.role === 'supervisor');
    assert.ok(supervisor);
    assert.equal((await staff.login(supervisor.email, 'supervisor pass')).staff.id, supervisor.id);
  });
});
