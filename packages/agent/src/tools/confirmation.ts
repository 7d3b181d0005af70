import { randomUUID } from 'node:crypto';
import type { Card } from '@liveport/protocol';
import type { ToolContext, ToolOutput } from './Tool.ts';
import { phrases } from '../phrases.ts';

/** JSON with sorted keys, so the same change always has the same text whatever the model's key order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function confirmCard(id: string, title: string, lines: string[], language: string): Card {
  const p = phrases(language);
  return {
    kind: 'confirm',
    title,
    lines,
    buttons: [
      { action: 'confirm', label: p.yes, values: { id } },
      { action: 'decline', label: p.no, values: { id } },
    ],
    data: { id },
  };
}

/**
 * A change goes through only when this exact change (tool and arguments) was put to the
 * customer and the customer said yes afterwards. Anything else records the change as pending
 * and tells the model to ask: the model cannot confirm on the customer's behalf, because the
 * yes is read from the customer's own message by the node, not from the model's arguments.
 */
export function requireConfirmation(
  ctx: ToolContext,
  tool: string,
  args: unknown,
  summary: { title: string; lines: string[] },
  /** the tool's own arguments, to run it again once confirmed */
  input: unknown = args,
): 'confirmed' | ToolOutput {
  const key = canonical(args);
  const pending = ctx.conversation.state.pending;
  if (pending && pending.tool === tool && pending.args === key && pending.confirmedAtSeq !== undefined) {
    ctx.conversation.state.pending = undefined;
    return 'confirmed';
  }
  const id = randomUUID();
  ctx.conversation.state.pending = {
    id,
    tool,
    args: key,
    input: JSON.stringify(input),
    summary: [summary.title, ...summary.lines].join(' — '),
    askedAtSeq: ctx.seq,
  };
  ctx.audit({ action: tool, outcome: 'awaiting_confirmation', details: args });
  return {
    ok: false,
    code: 'CONFIRMATION_REQUIRED',
    result: {
      status: 'CONFIRMATION_REQUIRED',
      message:
        'Nothing has been changed yet. State these details to the customer and ask for an explicit yes. ' +
        'The customer can also press the confirm button; then the change is made and you will be told.',
      change: summary,
    },
    cards: [confirmCard(id, summary.title, summary.lines, ctx.conversation.language)],
  };
}
