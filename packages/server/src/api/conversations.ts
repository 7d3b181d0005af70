import { ErrorCode, LiveportError } from '@liveport/protocol';
import type { AgentService } from '@liveport/agent';
import type { Request, Router } from '../http/Router.ts';
import type { KeyRing } from '../keys.ts';
import { authenticate } from './auth.ts';

const STATUSES = ['open', 'handed_off', 'closed'] as const;

/** REST for the store's staff and servers: conversations, their tool calls, the audit log, the handoff queue. */
export function conversationRoutes(router: Router, agent: AgentService, keys: KeyRing): void {
  // Conversations hold customers' personal data: only the API secret's holder reads them.
  const staff = (req: Request) => {
    const caller = authenticate(req, keys);
    if (caller.kind !== 'key')
      throw new LiveportError(ErrorCode.GRANT_MISSING, 'conversations need the API key and secret');
  };
  const limitOf = (req: Request) => {
    const raw = req.url.searchParams.get('limit');
    const limit = raw === null ? 50 : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      throw new LiveportError(ErrorCode.BAD_REQUEST, 'limit must be an integer from 1 to 500');
    }
    return limit;
  };
  const view = (id: string) => {
    const record = agent.conversations.get(id);
    if (!record) throw new LiveportError(ErrorCode.CONVERSATION_NOT_FOUND, `no conversation ${id}`);
    const { resumeTokenHash: _hidden, ...rest } = record;
    return rest;
  };

  router
    .add('GET', '/api/conversations', (req) => {
      staff(req);
      const status = req.url.searchParams.get('status');
      if (status !== null && !(STATUSES as readonly string[]).includes(status)) {
        throw new LiveportError(ErrorCode.BAD_REQUEST, `status must be one of ${STATUSES.join(', ')}`);
      }
      const records = agent.conversations.list({
        status: (status ?? undefined) as (typeof STATUSES)[number] | undefined,
        limit: limitOf(req),
      });
      return { json: { conversations: records.map((r) => view(r.id)) } };
    })
    .add('GET', '/api/conversations/:id', (req) => {
      staff(req);
      const conversation = view(req.params.id!);
      const events = agent.conversations.eventsAfter(conversation.id, 0);
      // A reply cut by the customer ends twice (as written, then as heard): the last word stands.
      const byId = new Map<
        string,
        { seq: number; id: string; role: string; text: string; at: number; interrupted: boolean }
      >();
      for (const e of events) {
        if (e.type !== 'message_end') continue;
        const first = byId.get(e.messageId)?.seq ?? e.seq;
        byId.set(e.messageId, {
          seq: first,
          id: e.messageId,
          role: e.role,
          text: e.text,
          at: e.at,
          interrupted: e.interrupted === true,
        });
      }
      const messages = [...byId.values()].sort((a, b) => a.seq - b.seq);
      const cards = events.flatMap((e) => (e.type === 'card' ? [{ seq: e.seq, card: e.card }] : []));
      return {
        json: { conversation, messages, cards, toolCalls: agent.conversations.toolCalls(conversation.id) },
      };
    })
    .add('GET', '/api/conversations/:id/audit', (req) => {
      staff(req);
      const conversation = view(req.params.id!);
      return {
        json: {
          audit: agent.conversations.auditLog({ conversationId: conversation.id, limit: limitOf(req) }),
        },
      };
    })
    .add('GET', '/api/audit', (req) => {
      staff(req);
      return { json: { audit: agent.conversations.auditLog({ limit: limitOf(req) }) } };
    })
    .add('GET', '/api/handoffs', (req) => {
      staff(req);
      return { json: { handoffs: agent.handoffs.waiting(req.url.searchParams.get('queue') ?? undefined) } };
    });
}
