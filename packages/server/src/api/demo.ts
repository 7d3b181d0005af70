import { ErrorCode, LiveportError } from '@liveport/protocol';
import { randomBytes } from 'node:crypto';
import type { Router } from '../http/Router.ts';
import { mintToken } from '../token.ts';

const DEMO_ROOM = /^[\w.-]{1,64}$/;

/**
 * The demo server's token endpoint, for the pages `npm start` serves: anyone may join a demo
 * room with camera, microphone, screen and data. Off when the node runs with demo disabled.
 */
export function demoRoutes(router: Router, key: { apiKey: string; apiSecret: string }): void {
  router.add('GET', '/api/demo/token', (req) => {
    const room = req.url.searchParams.get('room') || 'demo';
    if (!DEMO_ROOM.test(room))
      throw new LiveportError(ErrorCode.BAD_REQUEST, 'room must be 1-64 letters, digits, _ . -');
    const name =
      (req.url.searchParams.get('name') || '').slice(0, 64) || `Guest ${randomBytes(2).toString('hex')}`;
    const identity = `${name.replace(/[^\w]/g, '').slice(0, 24) || 'guest'}-${randomBytes(4).toString('hex')}`;
    const token = mintToken({
      ...key,
      identity,
      name,
      ttlSec: 3600,
      grants: {
        room,
        join: true,
        subscribe: true,
        publishData: true,
        publish: ['camera', 'microphone', 'screen', 'screen_audio'],
      },
    });
    return { json: { token, room, identity } };
  });
}
