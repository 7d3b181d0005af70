/**
 * The Chat Completions wire format: our messages and tools in its shape, and its streamed chunks
 * folded back into LlmEvents. Kept apart from the HTTP client so that the protocol can be read (and
 * tested) without the retries and timers around it.
 */
import { LlmError, type ChatMessage, type LlmEvent, type LlmRequest, type ToolCall } from './types.ts';

export interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type WireMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: WireToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface WireChatRequest {
  model: string;
  messages: WireMessage[];
  tools?: { type: 'function'; function: { name: string; description: string; parameters: object } }[];
  temperature?: number;
  max_tokens?: number;
  stream: boolean;
  stream_options?: { include_usage: boolean };
}

export function toWireMessage(message: ChatMessage): WireMessage {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    case 'assistant': {
      const calls = message.toolCalls ?? [];
      // several servers (vLLM, older Ollama) reject an empty tool_calls array or a null content
      // without tool calls, so both are sent only when they mean something
      if (calls.length === 0) return { role: 'assistant', content: message.content ?? '' };
      return {
        role: 'assistant',
        content: message.content,
        tool_calls: calls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        })),
      };
    }
  }
}

export function toWireRequest(model: string, request: LlmRequest, stream: boolean): WireChatRequest {
  const wire: WireChatRequest = { model, messages: request.messages.map(toWireMessage), stream };
  if (request.tools && request.tools.length > 0) {
    wire.tools = request.tools.map((tool) => ({
      type: 'function',
      function: { name: tool.name, description: tool.description, parameters: tool.parameters },
    }));
  }
  if (request.temperature !== undefined) wire.temperature = request.temperature;
  if (request.maxTokens !== undefined) wire.max_tokens = request.maxTokens;
  if (stream) wire.stream_options = { include_usage: true };
  return wire;
}

type Usage = { promptTokens: number; completionTokens: number };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readUsage(value: unknown): Usage | undefined {
  if (!isRecord(value)) return undefined;
  const prompt = value.prompt_tokens;
  const completion = value.completion_tokens;
  if (typeof prompt !== 'number' || typeof completion !== 'number') return undefined;
  return { promptTokens: prompt, completionTokens: completion };
}

/** The human part of an error body: OpenAI's `{error:{message}}`, Ollama's `{error:"..."}`, or text. */
export function errorMessageOf(body: unknown, fallback: string): string {
  if (typeof body === 'string') return body.trim().slice(0, 500) || fallback;
  if (!isRecord(body)) return fallback;
  const error = body.error;
  if (typeof error === 'string') return error;
  if (isRecord(error) && typeof error.message === 'string') return error.message;
  if (typeof body.message === 'string') return body.message;
  if (typeof body.detail === 'string') return body.detail;
  return fallback;
}

let generatedIds = 0;
/** Local servers sometimes leave the id out; the agent still needs one to pair the result. */
function generatedCallId(): string {
  generatedIds = (generatedIds + 1) % Number.MAX_SAFE_INTEGER;
  return `call_lp${Date.now().toString(36)}${generatedIds.toString(36)}`;
}

function completeCall(partial: { id: string; name: string; arguments: string }): ToolCall {
  if (!partial.name) throw new LlmError('LLM_BAD_RESPONSE', 'the model sent a tool call without a name');
  // a call without parameters arrives with empty arguments on some servers; the tool layer
  // expects a JSON object
  return { id: partial.id || generatedCallId(), name: partial.name, arguments: partial.arguments || '{}' };
}

/**
 * Folds the JSON chunks of one streamed completion into events. Text goes out as soon as it is
 * seen; tool calls are held until their choice finishes because their arguments arrive in pieces.
 */
export class ChatChunkAssembler {
  private readonly calls = new Map<number, { id: string; name: string; arguments: string }>();
  private finishReason: string | undefined;
  private usage: Usage | undefined;
  private emittedCalls = 0;

  /** true once the server said why the choice ended: a stream cut before that is incomplete */
  get finished(): boolean {
    return this.finishReason !== undefined;
  }

  /** Events for one parsed chunk. Throws LLM_BAD_RESPONSE for an error object in the stream. */
  accept(chunk: unknown): LlmEvent[] {
    if (!isRecord(chunk)) return [];
    if (chunk.error !== undefined && chunk.error !== null) {
      throw new LlmError(
        'LLM_BAD_RESPONSE',
        `the provider failed mid-stream: ${errorMessageOf(chunk, 'unknown error')}`,
      );
    }
    this.usage = readUsage(chunk.usage) ?? this.usage;
    const choices = chunk.choices;
    if (!Array.isArray(choices)) return [];
    const events: LlmEvent[] = [];
    for (const choice of choices) {
      // we never ask for n > 1; another index would be a server quirk, not a second answer to show
      if (!isRecord(choice) || (choice.index !== undefined && choice.index !== 0)) continue;
      const delta = isRecord(choice.delta) ? choice.delta : isRecord(choice.message) ? choice.message : {};
      if (typeof delta.content === 'string' && delta.content !== '') {
        events.push({ type: 'text', delta: delta.content });
      }
      if (Array.isArray(delta.tool_calls)) this.takeToolCallDeltas(delta.tool_calls);
      if (typeof choice.finish_reason === 'string' && choice.finish_reason !== '') {
        this.finishReason = choice.finish_reason;
        this.flushCalls(events);
      }
    }
    return events;
  }

  /** The closing events once the stream is over (`[DONE]` or the end of the body). */
  finish(): LlmEvent[] {
    const events: LlmEvent[] = [];
    this.flushCalls(events);
    let finishReason = this.finishReason ?? (this.emittedCalls > 0 ? 'tool_calls' : 'stop');
    // Ollama and some llama.cpp builds report 'stop' for a turn that called tools; the agent loop
    // keys on 'tool_calls' to run them and call the model again
    if (finishReason === 'stop' && this.emittedCalls > 0) finishReason = 'tool_calls';
    const done: LlmEvent = { type: 'done', finishReason };
    if (this.usage) done.usage = this.usage;
    events.push(done);
    return events;
  }

  private takeToolCallDeltas(deltas: unknown[]): void {
    deltas.forEach((delta, position) => {
      if (!isRecord(delta)) return;
      let index = typeof delta.index === 'number' ? delta.index : position;
      // servers that send each call whole, one per chunk (older Ollama), may omit `index`: a call
      // that names itself again opens a new slot instead of extending the previous one
      const opensCall =
        typeof delta.id === 'string' || (isRecord(delta.function) && typeof delta.function.name === 'string');
      if (typeof delta.index !== 'number' && opensCall && this.calls.has(index)) {
        index = Math.max(...this.calls.keys()) + 1;
      }
      let call = this.calls.get(index);
      if (!call) {
        call = { id: '', name: '', arguments: '' };
        this.calls.set(index, call);
      }
      if (typeof delta.id === 'string' && delta.id && !call.id) call.id = delta.id;
      const fn = isRecord(delta.function) ? delta.function : {};
      if (typeof fn.name === 'string' && fn.name && fn.name !== call.name) {
        // most servers send the name once, some repeat it whole; a few llama.cpp builds stream
        // it in pieces before the arguments begin
        if (!call.name) call.name = fn.name;
        else if (!call.arguments) call.name += fn.name;
      }
      if (typeof fn.arguments === 'string') call.arguments += fn.arguments;
      // a whole-call server may send arguments as an object rather than JSON text
      else if (isRecord(fn.arguments)) call.arguments += JSON.stringify(fn.arguments);
    });
  }

  private flushCalls(events: LlmEvent[]): void {
    if (this.calls.size === 0) return;
    const ordered = [...this.calls.entries()].sort((a, b) => a[0] - b[0]);
    this.calls.clear();
    for (const [, partial] of ordered) {
      events.push({ type: 'tool_call', call: completeCall(partial) });
      this.emittedCalls++;
    }
  }
}
