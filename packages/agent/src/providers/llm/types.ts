/**
 * What the agent needs from a language model, in the shape of OpenAI's Chat Completions (the
 * protocol nearly every provider and local server speaks), but streamed as typed events.
 */

export interface ToolCall {
  id: string;
  name: string;
  /** JSON text exactly as the model produced it; the tool layer parses and validates it */
  arguments: string;
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments object */
  parameters: Record<string, unknown>;
}

export interface LlmRequest {
  messages: ChatMessage[];
  tools?: ToolSpec[];
  temperature?: number;
  maxTokens?: number;
  /** cancels the request and ends the stream (barge-in, a closed conversation) */
  signal?: AbortSignal;
}

export type LlmEvent =
  | { type: 'text'; delta: string }
  /** a complete tool call, emitted once all its argument deltas have arrived */
  | { type: 'tool_call'; call: ToolCall }
  | {
      type: 'done';
      finishReason: 'stop' | 'tool_calls' | 'length' | 'content_filter' | (string & {});
      usage?: { promptTokens: number; completionTokens: number };
    };

export interface LlmProvider {
  /** 'openai-compatible', 'llama-cpp', 'fallback' */
  readonly kind: string;
  /** the model name, or a human label for the fallback */
  readonly model: string;
  /** true for the fallback: no free language understanding, guided steps only */
  readonly limited: boolean;
  chat(request: LlmRequest): AsyncIterable<LlmEvent>;
  /** vector embeddings for product search, where the provider offers them */
  embed?(texts: string[], signal?: AbortSignal): Promise<number[][]>;
}

export type LlmErrorCode =
  | 'LLM_UNAVAILABLE'
  | 'LLM_RATE_LIMITED'
  | 'LLM_AUTH_FAILED'
  | 'LLM_BAD_REQUEST'
  | 'LLM_BAD_RESPONSE'
  | 'LLM_ABORTED';

export class LlmError extends Error {
  constructor(
    readonly code: LlmErrorCode,
    message: string,
    /** HTTP status from the provider, when there was one */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'LlmError';
  }
}
