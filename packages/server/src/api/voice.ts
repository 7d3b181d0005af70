import { z } from 'zod';
import { ErrorCode, LiveportError } from '@liveport/protocol';
import type { Sfu } from '@liveport/media';
import type { AgentService } from '@liveport/agent';
import type { Router } from '../http/Router.ts';
import type { KeyRing } from '../keys.ts';
import { authenticate, requireRight } from './auth.ts';

const StartAgent = z
  .object({
    /** the language the agent starts in (it follows the customer's afterwards) */
    language: z.string().min(2).max(35).optional(),
  })
  .strict();

/** REST: the voice agent in a room — start it, read its per-turn metrics, stop it. */
export function voiceRoutes(
  router: Router,
  sfu: Sfu,
  agent: () => AgentService | undefined,
  keys: KeyRing,
): void {
  const service = () => {
    const a = agent();
    if (!a) throw new LiveportError(ErrorCode.AGENT_UNAVAILABLE, 'the agent is not running on this node');
    return a;
  };
  const view = (name: string) => {
    const voice = service().voices.get(name);
    if (!voice) throw new LiveportError(ErrorCode.NOT_FOUND, `no agent in room ${name}`);
    const m = voice.session.metrics;
    return {
      identity: voice.identity,
      conversationId: voice.session.conversationId,
      summary: m.summary(),
      turns: m.turns,
      bargeIns: m.bargeIns,
    };
  };
  router
    .add('POST', '/api/rooms/:room/agent', (req) => {
      const caller = authenticate(req, keys);
      const name = req.params.room!;
      requireRight(caller, 'roomAdmin', name);
      const body = StartAgent.safeParse(req.body);
      if (!body.success) {
        const issue = body.error.issues[0];
        throw new LiveportError(
          ErrorCode.BAD_REQUEST,
          `${issue?.path.join('.') || 'body'}: ${issue?.message}`,
        );
      }
      let room = sfu.get(name);
      if (!room) {
        requireRight(caller, 'roomCreate');
        room = sfu.create(name);
      }
      service().startVoice(room, undefined, body.data.language);
      return { status: 201, json: { agent: view(name) } };
    })
    .add('GET', '/api/rooms/:room/agent', (req) => {
      requireRight(authenticate(req, keys), 'roomAdmin', req.params.room);
      return { json: { agent: view(req.params.room!) } };
    })
    .add('DELETE', '/api/rooms/:room/agent', (req) => {
      requireRight(authenticate(req, keys), 'roomAdmin', req.params.room);
      if (!service().stopVoice(req.params.room!)) {
        throw new LiveportError(ErrorCode.NOT_FOUND, `no agent in room ${req.params.room}`);
      }
      return { status: 204 };
    });
}
