export {
  LlmError,
  type ChatMessage,
  type LlmErrorCode,
  type LlmEvent,
  type LlmProvider,
  type LlmRequest,
  type ToolCall,
  type ToolSpec,
} from './types.ts';
export {
  OpenAiCompatibleProvider,
  parseRetryAfter,
  type OpenAiCompatibleConfig,
  type ProbeResult,
} from './OpenAiCompatibleProvider.ts';
export { LlamaCppProvider, NODE_LLAMA_CPP_VERSION, type LlamaCppConfig } from './LlamaCppProvider.ts';
export {
  OLLAMA_BASE_URL,
  selectProvider,
  type LlmConfig,
  type ProviderSelectionConfig,
  type SelectProviderOptions,
} from './selectProvider.ts';
