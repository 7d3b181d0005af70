import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { ErrorCode, LiveportError } from '@liveport/protocol';
import type { ConversationStore } from '@liveport/agent';
import { conversationRecordings } from './recordings.ts';
import type { StaffDirectory, StaffMember } from '@liveport/desk';
import type { Request, Router } from '../http/Router.ts';
import type { KeyRing } from '../keys.ts';
import { authenticate } from '../api/auth.ts';

/**
 * A consultation's recording, for those entitled to it: the clerk who took the call,
 * supervisors and admins (their console session), and the store's server (the API secret).
 * The file named is only ever one the audit log recorded, so no path comes from the request.
 */
export function recordingRoutes(
  router: Router,
  deps: { conversations: ConversationStore; staff: StaffDirectory; keys: KeyRing },
): void {
  /** Who asks: a member of staff (their session), or undefined for the API secret's holder. */
  const caller = (req: Request): StaffMember | undefined => {
    const [scheme, token = ''] = (req.headers.authorization ?? '').split(' ', 2);
    if (scheme?.toLowerCase() === 'basic') {
      authenticate(req, deps.keys);
      return undefined;
    }
    if (scheme?.toLowerCase() !== 'bearer' || !token)
      throw new LiveportError(ErrorCode.UNAUTHORIZED, 'send Authorization: Bearer <session token>');
    return deps.staff.authenticate(token);
  };
  router.add('GET', '/api/desk/recordings/:conversationId/:itemId', (req) => {
    // who asks first: an anonymous caller learns nothing, not even whether a recording exists
    const member = caller(req);
    const { conversationId = '', itemId = '' } = req.params;
    const recording = conversationRecordings(deps.conversations, conversationId).find(
      (r) => r.itemId === itemId,
    );
    if (!recording || !existsSync(recording.file))
      throw new LiveportError(ErrorCode.NOT_FOUND, 'no such recording');
    if (member?.role === 'agent' && member.id !== recording.clerkId)
      throw new LiveportError(ErrorCode.FORBIDDEN, 'only the clerk of the call, supervisors and admins');
    return {
      file: recording.file,
      contentType: 'video/webm',
      headers: { 'content-disposition': `attachment; filename="${basename(recording.file)}"` },
    };
  });
}
