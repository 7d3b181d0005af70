import type { StoreAdapter } from '@liveport/commerce';
import { resolveStep } from '../../eval/agent/harness.ts';
import type { Step } from '../../eval/agent/tasks.ts';
import { callTools, say, type ChatRequestBody, type Script } from './openaiServer.ts';

/**
 * A model that follows a plan: per customer turn, a list of steps (a tool call or a reply),
 * one per chat request. Where it is in the plan is read from the history the client sends,
 * as a real model would read it: the number of customer messages is the turn, the model's own
 * assistant messages since the last one are the step. Calls the node made itself on the
 * customer's yes (ids `confirmed-…`) are not the model's steps.
 */
export function planScript(plan: Step[][]): (body: ChatRequestBody) => Script {
  return (body) => {
    const messages = body.messages ?? [];
    let lastUser = -1;
    let turn = -1;
    messages.forEach((m, i) => {
      if (m.role === 'user') {
        lastUser = i;
        turn++;
      }
    });
    const own = messages.slice(lastUser + 1).filter((m) => {
      if (m.role !== 'assistant') return false;
      const calls = m.tool_calls as { id?: string }[] | undefined;
      return !calls?.some((c) => c.id?.startsWith('confirmed-'));
    }).length;
    const step = plan[turn]?.[own];
    if (!step) return [say('…')];
    return 'say' in step ? [say(step.say)] : [callTools({ name: step.tool, arguments: step.args })];
  };
}

export async function resolvePlan(plan: Step[][], store: StoreAdapter): Promise<Step[][]> {
  return Promise.all(plan.map((turn) => Promise.all(turn.map((s) => resolveStep(s, store)))));
}

/**
 * A careless model: the same moves on the wrong order and e-mail, never a handoff, and a
 * reply that says nothing.
 */
export function wrongPlan(plan: Step[][]): Step[][] {
  const swap = (value: unknown): unknown => {
    if (typeof value === 'string') {
      if (/^LP-\d+$/.test(value)) return value === 'LP-1003' ? 'LP-1001' : 'LP-1003';
      if (value.includes('@')) return 'someone@example.com';
      return value;
    }
    if (Array.isArray(value)) return value.map(swap);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, swap(v)]));
    }
    return value;
  };
  return plan.map((turn) =>
    turn
      .filter((s) => !('tool' in s) || s.tool !== 'handoff_to_human')
      .map((s) =>
        'say' in s ? { say: 'Done!' } : { tool: s.tool, args: swap(s.args) as Record<string, unknown> },
      ),
  );
}
