import { ErrorCode, LiveportError } from '@liveport/protocol';
import type { Router } from '../http/Router.ts';
import type { KeyRing } from '../keys.ts';
import { authenticate } from '../api/auth.ts';
import type { ConsultCallbacks } from './consultCallbacks.ts';

/** REST for the store's own tools: the call-backs customers booked when no clerk was free. */
export function consultRoutes(router: Router, callbacks: ConsultCallbacks, keys: KeyRing): void {
  router.add('GET', '/api/desk/callbacks', (req) => {
    // Phone numbers are personal data: only the API secret's holder reads them.
    if (authenticate(req, keys).kind !== 'key')
      throw new LiveportError(ErrorCode.GRANT_MISSING, 'call-backs need the API key and secret');
    const raw = req.url.searchParams.get('from');
    const from = raw === null ? 0 : Number(raw);
    if (!Number.isFinite(from))
      throw new LiveportError(ErrorCode.BAD_REQUEST, 'from must be ms since the epoch');
    return { json: { callbacks: callbacks.list({ from }) } };
  });
}
