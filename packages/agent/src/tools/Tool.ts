import { z } from 'zod';
import type { Card } from '@liveport/protocol';
import type { StoreAdapter, StorePolicy } from '@liveport/commerce';
import type { ToolSpec } from '../providers/llm/types.ts';
import type { AuditEntry, ConversationRecord, HandoffRecord } from '../conversation/types.ts';

/** What a tool may touch: the store, this one conversation, and the node's recorders. */
export interface ToolContext {
  readonly store: StoreAdapter;
  readonly policy: StorePolicy;
  /** the conversation; tools change its state (verification, pending change) in place */
  readonly conversation: ConversationRecord;
  readonly now: Date;
  /** the seq of the latest event, where a confirmation request is anchored */
  readonly seq: number;
  audit(entry: Pick<AuditEntry, 'action' | 'outcome' | 'target' | 'details'>): void;
  handoff(request: Pick<HandoffRecord, 'reason' | 'skill' | 'language' | 'summary'>): {
    handoff: HandoffRecord;
    position: number;
  };
  /** embeddings for recommendations, when the brain offers them */
  embed?: (texts: string[]) => Promise<number[][]>;
}

/** What the model reads back, and what the customer sees. */
export interface ToolOutput {
  ok: boolean;
  /** stable code for refusals: NOT_VERIFIED, NOT_ALLOWED, CONFIRMATION_REQUIRED, ... */
  code?: string;
  /** for the model: facts it may state */
  result: unknown;
  cards?: Card[];
}

export interface Tool<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  schema: S;
  /** a change to the store: only after the customer's explicit yes */
  mutates?: boolean;
  run(args: z.infer<S>, ctx: ToolContext): Promise<ToolOutput>;
}

export function defineTool<S extends z.ZodType>(tool: Tool<S>): Tool<S> {
  return tool;
}

export function toolSpec(tool: Tool): ToolSpec {
  const schema = z.toJSONSchema(tool.schema, { target: 'draft-7' }) as Record<string, unknown>;
  delete schema.$schema;
  return { name: tool.name, description: tool.description, parameters: schema };
}

export function refuse(code: string, message: string, cards?: Card[]): ToolOutput {
  return { ok: false, code, result: { error: code, message }, cards };
}
