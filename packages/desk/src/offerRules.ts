import type { AgentRole, AgentStatus, WorkItem, WorkKind } from './DeskRouterTypes.ts';

/** An agent as the offer rules weigh them: what they can handle and how busy they are now. */
export interface Candidate {
  id: string;
  role: AgentRole;
  skills: readonly string[];
  languages: readonly string[];
  maxConcurrent: number;
  status: AgentStatus;
  /** absent: every kind */
  kinds?: readonly WorkKind[];
  idleSince: number;
  /** conversations they hold plus offers awaiting their answer */
  load: number;
}

/** The skill an agent needs for an item: any video call needs 'video', whatever it is about. */
export function requiredSkill(item: Pick<WorkItem, 'kind' | 'skill'>): string {
  return item.kind === 'video' ? 'video' : item.skill;
}

/** Whether the agent can be reached for this kind of work now (a phone shows video calls only). */
export function takesKind(agent: Pick<Candidate, 'kinds'>, item: Pick<WorkItem, 'kind'>): boolean {
  return agent.kinds === undefined || agent.kinds.includes(item.kind);
}

/**
 * Who may be offered an item: online, with a free slot, reachable for its kind, and able to
 * serve it (the skill and the language). Once the item has waited past its service level, any online supervisor or admin
 * with a free slot may take it too, whatever it needs.
 */
export function canBeOffered(agent: Candidate, item: WorkItem): boolean {
  if (agent.status !== 'online' || agent.load >= agent.maxConcurrent || !takesKind(agent, item)) return false;
  const serves = agent.skills.includes(requiredSkill(item)) && agent.languages.includes(item.language);
  return serves || (item.escalated && agent.role !== 'agent');
}

/**
 * Who is offered first: the least busy (an offer awaiting an answer counts, since it usually
 * becomes a conversation), then whoever has been idle longest, then by id so the order is stable.
 */
export function bestFirst(a: Candidate, b: Candidate): number {
  return a.load - b.load || a.idleSince - b.idleSince || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
