/**
 * A GGUF model run in-process by node-llama-cpp. The package is optional (with its prebuilt
 * binaries it weighs hundreds of megabytes), so it is imported only when a model file is
 * configured. Untested here: it needs a model file, and no test ships one.
 */
import { LlmError, type ChatMessage, type LlmEvent, type LlmProvider, type LlmRequest } from './types.ts';

/** The version checked to install offline from the npm registry. */
export const NODE_LLAMA_CPP_VERSION = '3.21.1';

export interface LlamaCppConfig {
  modelPath: string;
  /** tokens of context per conversation slot; the model's own when not set */
  contextSize?: number;
  /** conversations generated at the same time; others wait for a free slot */
  parallel?: number;
  /** model layers on the GPU ('auto' lets node-llama-cpp decide) */
  gpuLayers?: number | 'auto';
}

// The slice of node-llama-cpp this provider uses, typed here so that the workspace compiles
// without the package.
type HistoryItem =
  | { type: 'system'; text: string }
  | { type: 'user'; text: string }
  | { type: 'model'; response: Array<string | FunctionCallItem> };
interface FunctionCallItem {
  type: 'functionCall';
  name: string;
  params: unknown;
  result: unknown;
}
interface GenerateOptions {
  functions?: Record<string, { description?: string; params?: unknown }>;
  onTextChunk?: (text: string) => void;
  signal?: AbortSignal;
  maxTokens?: number;
  temperature?: number;
}
interface GenerateResult {
  functionCalls?: Array<{ functionName: string; params: unknown }>;
  metadata: { stopReason: string };
}
interface ChatSlot {
  generateResponse(history: HistoryItem[], options: GenerateOptions): Promise<GenerateResult>;
  dispose(): void;
}
interface ContextSequence {
  dispose(): void;
}
interface LlamaContext {
  getSequence(): ContextSequence;
  dispose(): Promise<void>;
}
interface LlamaModel {
  createContext(options: { contextSize?: number; sequences: number }): Promise<LlamaContext>;
  dispose(): Promise<void>;
}
interface NodeLlamaCpp {
  getLlama(): Promise<{
    loadModel(options: { modelPath: string; gpuLayers?: number | 'auto' }): Promise<LlamaModel>;
  }>;
  LlamaChat: new (options: { contextSequence: ContextSequence }) => ChatSlot;
}

async function importNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  // a variable specifier keeps TypeScript and bundlers from requiring the package at build time
  const specifier = 'node-llama-cpp';
  try {
    return (await import(specifier)) as NodeLlamaCpp;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new LlmError(
      'LLM_UNAVAILABLE',
      `install node-llama-cpp@${NODE_LLAMA_CPP_VERSION} to use a local model file (${reason})`,
    );
  }
}

/** Turns events pushed from callbacks into an async iterable, in order. */
class EventChannel {
  private readonly queued: LlmEvent[] = [];
  private wake: (() => void) | undefined;
  private closed = false;
  private failure: unknown;

  push(event: LlmEvent): void {
    this.queued.push(event);
    this.wake?.();
  }

  close(failure?: unknown): void {
    this.closed = true;
    this.failure = failure;
    this.wake?.();
  }

  async *drain(): AsyncGenerator<LlmEvent> {
    for (;;) {
      const event = this.queued.shift();
      if (event) {
        yield event;
        continue;
      }
      if (this.closed) {
        if (this.failure !== undefined) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}

function parseJsonOr(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}

/**
 * node-llama-cpp keeps a function call and its result together inside the model's turn, where
 * the Chat Completions shape has separate `tool` messages: results are joined to their calls by id.
 */
function toHistory(messages: ChatMessage[]): HistoryItem[] {
  const results = new Map<string, string>();
  for (const message of messages)
    if (message.role === 'tool') results.set(message.toolCallId, message.content);
  const history: HistoryItem[] = [];
  for (const message of messages) {
    if (message.role === 'system' || message.role === 'user')
      history.push({ type: message.role, text: message.content });
    else if (message.role === 'assistant') {
      const response: Array<string | FunctionCallItem> = [];
      if (message.content) response.push(message.content);
      for (const call of message.toolCalls ?? []) {
        response.push({
          type: 'functionCall',
          name: call.name,
          params: parseJsonOr(call.arguments, {}),
          result: parseJsonOr(results.get(call.id) ?? 'null', results.get(call.id)),
        });
      }
      history.push({ type: 'model', response });
    }
  }
  // generation continues the last model turn: after a user message it is a new, empty one; after
  // tool results it is the turn that holds the calls
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
}

export class LlamaCppProvider implements LlmProvider {
  readonly kind = 'llama-cpp';
  readonly limited = false;
  readonly model: string;
  private readonly freeSlots: ChatSlot[];
  private readonly waiters: Array<(slot: ChatSlot) => void> = [];
  private callCounter = 0;

  private constructor(
    modelPath: string,
    private readonly llamaModel: LlamaModel,
    private readonly context: LlamaContext,
    slots: ChatSlot[],
  ) {
    this.model = modelPath.split(/[\\/]/).pop() ?? modelPath;
    this.freeSlots = slots;
  }

  /** Loads the model (seconds to minutes); throws LLM_UNAVAILABLE when node-llama-cpp is missing. */
  static async open(config: LlamaCppConfig): Promise<LlamaCppProvider> {
    const lib = await importNodeLlamaCpp();
    try {
      const llama = await lib.getLlama();
      const model = await llama.loadModel({ modelPath: config.modelPath, gpuLayers: config.gpuLayers });
      const parallel = Math.max(1, config.parallel ?? 1);
      const context = await model.createContext({ contextSize: config.contextSize, sequences: parallel });
      const slots = Array.from(
        { length: parallel },
        () => new lib.LlamaChat({ contextSequence: context.getSequence() }),
      );
      return new LlamaCppProvider(config.modelPath, model, context, slots);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new LlmError('LLM_UNAVAILABLE', `cannot load the model ${config.modelPath}: ${reason}`);
    }
  }

  async *chat(request: LlmRequest): AsyncGenerator<LlmEvent> {
    if (request.signal?.aborted) throw new LlmError('LLM_ABORTED', 'the request was cancelled');
    const slot = await this.takeSlot();
    // our own controller, so that a caller who stops reading (without aborting) frees the slot too
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    const channel = new EventChannel();
    const functions = request.tools?.length
      ? Object.fromEntries(
          request.tools.map((t) => [t.name, { description: t.description, params: t.parameters }]),
        )
      : undefined;
    const generation = slot
      .generateResponse(toHistory(request.messages), {
        functions,
        onTextChunk: (delta) => {
          if (delta) channel.push({ type: 'text', delta });
        },
        signal: controller.signal,
        maxTokens: request.maxTokens,
        temperature: request.temperature,
      })
      .then((result) => {
        for (const call of result.functionCalls ?? []) {
          this.callCounter = (this.callCounter + 1) % Number.MAX_SAFE_INTEGER;
          channel.push({
            type: 'tool_call',
            call: {
              id: `call_local${this.callCounter}`,
              name: call.functionName,
              arguments: JSON.stringify(call.params ?? {}),
            },
          });
        }
        channel.push({ type: 'done', finishReason: finishReasonOf(result.metadata.stopReason) });
        channel.close();
      })
      .catch((err: unknown) => {
        const reason = err instanceof Error ? err.message : String(err);
        channel.close(
          controller.signal.aborted
            ? new LlmError('LLM_ABORTED', 'the request was cancelled')
            : new LlmError('LLM_BAD_RESPONSE', `the local model failed: ${reason}`),
        );
      });
    try {
      yield* channel.drain();
    } finally {
      controller.abort();
      request.signal?.removeEventListener('abort', onAbort);
      // the slot is reused only once the generation has really stopped
      void generation.finally(() => this.releaseSlot(slot));
    }
  }

  async close(): Promise<void> {
    for (const slot of this.freeSlots) slot.dispose();
    await this.context.dispose();
    await this.llamaModel.dispose();
  }

  private takeSlot(): Promise<ChatSlot> {
    const slot = this.freeSlots.pop();
    if (slot) return Promise.resolve(slot);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private releaseSlot(slot: ChatSlot): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(slot);
    else this.freeSlots.push(slot);
  }
}

function finishReasonOf(stopReason: string): string {
  if (stopReason === 'functionCalls') return 'tool_calls';
  if (stopReason === 'maxTokens') return 'length';
  return 'stop';
}
