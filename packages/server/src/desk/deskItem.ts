import type { DeskColleague, DeskItem, StaffInfo } from '@liveport/protocol';
import type { StaffMember, WorkItem } from '@liveport/desk';

/** A router's work item as the console shows it. */
export function deskItem(item: WorkItem): DeskItem {
  const view: DeskItem = {
    id: item.id,
    conversationId: item.conversationId,
    kind: item.kind,
    queue: item.queue,
    skill: item.skill,
    language: item.language,
    status: item.status,
    createdAt: item.createdAt,
    escalated: item.escalated,
  };
  if (item.assignee !== undefined) view.assignee = item.assignee;
  if (item.summary !== undefined) view.summary = item.summary;
  const customerId = typeof item.context?.customerId === 'string' ? item.context.customerId : undefined;
  if (item.customer || customerId)
    view.customer = { ...item.customer, ...(customerId && { id: customerId }) };
  if (typeof item.context?.product === 'string') view.product = item.context.product;
  const note = transferNote(item);
  if (note !== undefined) view.note = note;
  return view;
}

/**
 * The note a colleague left when they passed the item on, while that transfer is its latest
 * move. Someone taking it for themselves (a takeover, a take from the queue) leaves no note.
 */
function transferNote(item: WorkItem): string | undefined {
  const last = item.history.findLast((step) => step.action === 'transferred' || step.action === 'requeued');
  if (last?.action !== 'transferred' || !last.reason || last.by === last.agentId) return undefined;
  return last.reason;
}

/** A colleague as the transfer picker shows them. */
export function colleague(member: StaffMember): DeskColleague {
  return {
    id: member.id,
    name: member.name,
    role: member.role,
    status: member.status,
    skills: member.skills,
    languages: member.languages,
  };
}

/** A member of staff as the console shows them: never the password hash, never activity times. */
export function staffInfo(member: StaffMember): StaffInfo {
  return {
    id: member.id,
    name: member.name,
    email: member.email,
    role: member.role,
    skills: member.skills,
    languages: member.languages,
    maxConcurrent: member.maxConcurrent,
    status: member.status,
  };
}
