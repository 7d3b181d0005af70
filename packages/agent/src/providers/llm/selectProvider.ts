/**
 * Which brain the agent gets at start: the configured one, else a local Ollama if one answers,
 * else none (the caller then runs the guided fallback and says so).
 */
import { LlamaCppProvider, type LlamaCppConfig } from './LlamaCppProvider.ts';
import { OpenAiCompatibleProvider, type OpenAiCompatibleConfig } from './OpenAiCompatibleProvider.ts';
import type { LlmProvider } from './types.ts';

export type LlmConfig =
  ({ kind: 'openai' } & OpenAiCompatibleConfig) | ({ kind: 'llama-cpp' } & LlamaCppConfig);

export interface ProviderSelectionConfig {
  llm?: LlmConfig;
}

export interface SelectProviderOptions {
  /** where to look for Ollama; false skips the look (tests, and nodes that must not guess) */
  ollamaBaseUrl?: string | false;
  /** how long Ollama may take to answer /models before it counts as absent */
  probeTimeoutMs?: number;
}

export const OLLAMA_BASE_URL = 'http://127.0.0.1:11434/v1';

// embedding-only models (nomic-embed-text, mxbai-embed-large, all-minilm, bge-m3, ...) cannot chat
const EMBEDDING_MODEL = /embed|minilm|bge-|e5-/i;

/**
 * A configured provider is used even if it does not answer yet (a remote API may be briefly down;
 * silently swapping brains would surprise the operator); a local model that cannot load throws.
 */
export async function selectProvider(
  config: ProviderSelectionConfig,
  options: SelectProviderOptions = {},
): Promise<LlmProvider | undefined> {
  const { llm } = config;
  if (llm?.kind === 'openai') {
    const { kind: _kind, ...settings } = llm;
    return new OpenAiCompatibleProvider(settings);
  }
  if (llm?.kind === 'llama-cpp') {
    const { kind: _kind, ...settings } = llm;
    return LlamaCppProvider.open(settings);
  }
  const ollamaBaseUrl = options.ollamaBaseUrl ?? OLLAMA_BASE_URL;
  if (ollamaBaseUrl === false) return undefined;
  const found = await OpenAiCompatibleProvider.probe(ollamaBaseUrl, {
    timeoutMs: options.probeTimeoutMs ?? 1000,
  });
  if (!found) return undefined;
  const chatModel = found.models.find((id) => !EMBEDDING_MODEL.test(id));
  if (!chatModel) return undefined;
  const embeddingModel = found.models.find((id) => EMBEDDING_MODEL.test(id));
  return new OpenAiCompatibleProvider({
    baseUrl: ollamaBaseUrl,
    model: chatModel,
    ...(embeddingModel ? { embeddingModel } : {}),
    // a local model's first token can take long while it loads into memory
    timeoutMs: 120_000,
  });
}
