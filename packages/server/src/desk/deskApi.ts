import { z } from 'zod';
import { ErrorCode, LiveportError } from '@liveport/protocol';
import { isDeskError, type StaffMember } from '@liveport/desk';
import type { Handler, Reply, Request, Router } from '../http/Router.ts';
import type { KeyRing } from '../keys.ts';
import { authenticate } from '../api/auth.ts';
import type { DeskService } from './DeskService.ts';
import { staffInfo } from './deskItem.ts';

const Login = z.object({ email: z.string().max(254), password: z.string().max(1024) });
const Role = z.enum(['agent', 'supervisor', 'admin']);
const NewStaff = z
  .object({
    email: z.string().min(3).max(254),
    name: z.string().min(1).max(200),
    password: z.string().min(8).max(1024),
    role: Role.optional(),
    skills: z.array(z.string().max(64)).max(50).optional(),
    languages: z.array(z.string().max(35)).max(20).optional(),
    maxConcurrent: z.number().int().min(1).max(50).optional(),
  })
  .strict();
const StaffPatch = z
  .object({
    name: z.string().min(1).max(200).optional(),
    role: Role.optional(),
    skills: z.array(z.string().max(64)).max(50).optional(),
    languages: z.array(z.string().max(35)).max(20).optional(),
    maxConcurrent: z.number().int().min(1).max(50).optional(),
    password: z.string().min(8).max(1024).optional(),
  })
  .strict();

/**
 * The desk's REST edge: staff log in and out with a password and get a session token for the
 * console; admins (or a server holding the API secret) manage the staff list.
 */
export function deskRoutes(router: Router, desk: DeskService, keys: KeyRing): void {
  const session = (req: Request): StaffMember => {
    const header = req.headers.authorization ?? '';
    const [scheme, token = ''] = header.split(' ', 2);
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw new LiveportError(ErrorCode.UNAUTHORIZED, 'send Authorization: Bearer <session token>');
    }
    return desk.staff.authenticate(token);
  };
  // An admin's session, or the API key and secret the node's other REST routes take.
  const admin = (req: Request): void => {
    const scheme = (req.headers.authorization ?? '').split(' ', 1)[0]?.toLowerCase();
    if (scheme === 'basic') {
      authenticate(req, keys);
      return;
    }
    if (session(req).role !== 'admin')
      throw new LiveportError(ErrorCode.FORBIDDEN, 'only an admin manages staff');
  };

  router
    .add(
      'POST',
      '/api/desk/login',
      guarded(async (req) => {
        const { email, password } = parse(Login, req.body);
        const login = await desk.staff.login(email, password);
        return { json: { token: login.token, staff: staffInfo(login.staff), expiresAt: login.expiresAt } };
      }),
    )
    .add(
      'POST',
      '/api/desk/logout',
      guarded((req) => {
        const token = (req.headers.authorization ?? '').split(' ', 2)[1] ?? '';
        desk.staff.logout(token);
        desk.endSessions({ token }, 'logged out');
        return { json: { ok: true } };
      }),
    )
    .add(
      'GET',
      '/api/desk/me',
      guarded((req) => ({ json: { staff: staffInfo(session(req)) } })),
    )
    .add(
      'GET',
      '/api/desk/staff',
      guarded((req) => {
        admin(req);
        return { json: { staff: desk.staff.list().map(staffInfo) } };
      }),
    )
    .add(
      'POST',
      '/api/desk/staff',
      guarded(async (req) => {
        admin(req);
        const member = await desk.createStaff(parse(NewStaff, req.body));
        return { status: 201, json: { staff: staffInfo(member) } };
      }),
    )
    .add(
      'PATCH',
      '/api/desk/staff/:id',
      guarded(async (req) => {
        admin(req);
        const { password, ...patch } = parse(StaffPatch, req.body);
        let member = desk.updateStaff(req.params.id!, patch);
        if (password !== undefined) {
          await desk.staff.setPassword(member.id, password);
          desk.endSessions({ staffId: member.id }, 'the password was changed; log in again');
          member = desk.staff.get(member.id) ?? member;
        }
        return { json: { staff: staffInfo(member) } };
      }),
    );
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const why = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw new LiveportError(ErrorCode.BAD_REQUEST, why);
  }
  return result.data;
}

/** The desk's own errors answer with their code and status (and Retry-After for a locked account). */
function guarded(handler: Handler): Handler {
  return async (req): Promise<Reply> => {
    try {
      return await handler(req);
    } catch (err) {
      if (!isDeskError(err)) throw err;
      const headers: Record<string, string> = {};
      if (err.retryAfterMs !== undefined)
        headers['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfterMs / 1000)));
      return { status: err.status, json: { error: err.toJSON() }, headers };
    }
  };
}
