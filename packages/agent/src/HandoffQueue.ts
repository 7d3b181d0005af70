import { randomUUID } from 'node:crypto';
import type { ConversationStore, HandoffRecord } from './conversation/types.ts';

/**
 * Conversations waiting for a person, one queue per skill and language ("after_sales:es"), in
 * arrival order. Persisted, so a restart keeps everyone's place; the human desk takes from here.
 */
export class HandoffQueue {
  constructor(private readonly store: ConversationStore) {}

  static queueName(skill: string, language: string): string {
    return `${skill}:${language.toLowerCase().split('-')[0]}`;
  }

  enqueue(request: Omit<HandoffRecord, 'id' | 'queue' | 'status' | 'createdAt'>): {
    handoff: HandoffRecord;
    position: number;
  } {
    const [existing] = this.store.handoffs({ status: 'waiting', conversationId: request.conversationId });
    if (existing) return { handoff: existing, position: this.position(existing) };
    const handoff: HandoffRecord = {
      ...request,
      id: randomUUID(),
      queue: HandoffQueue.queueName(request.skill, request.language),
      status: 'waiting',
      createdAt: Date.now(),
    };
    this.store.addHandoff(handoff);
    return { handoff, position: this.position(handoff) };
  }

  /** 1 for the next in line */
  position(handoff: HandoffRecord): number {
    const waiting = this.store.handoffs({ status: 'waiting', queue: handoff.queue });
    const index = waiting.findIndex((h) => h.id === handoff.id);
    return index < 0 ? 0 : index + 1;
  }

  waiting(queue?: string): (HandoffRecord & { position: number })[] {
    const all = this.store.handoffs({ status: 'waiting', queue });
    const seen = new Map<string, number>();
    return all.map((h) => {
      const position = (seen.get(h.queue) ?? 0) + 1;
      seen.set(h.queue, position);
      return { ...h, position };
    });
  }
}
