export { AgentService } from './AgentService.ts';
export type { AgentServiceOptions, HandoffListener, HandoffNotice, HelloRequest } from './AgentService.ts';
export { LiveConversation } from './conversation/LiveConversation.ts';
export type { ConversationSink } from './conversation/LiveConversation.ts';
export { SqliteConversationStore } from './conversation/SqliteConversationStore.ts';
export type {
  AuditEntry,
  ConversationRecord,
  ConversationStatus,
  ConversationStore,
  HandoffRecord,
  ToolCallRecord,
} from './conversation/types.ts';
export { HandoffQueue } from './HandoffQueue.ts';
export { commerceTools } from './tools/commerceTools.ts';
export { toolSpec } from './tools/Tool.ts';
export type { Tool, ToolContext, ToolOutput } from './tools/Tool.ts';
export { signCustomerSession, verifyCustomerSession } from './customerSession.ts';
export { maskPii, maskValue } from './pii.ts';
export { readAnswer } from './affirmation.ts';
export { detectLanguage } from './language.ts';
export * from './providers/llm/index.ts';
export { VoiceAgent } from './voice/VoiceAgent.ts';
export { VoiceSession, heardText } from './voice/VoiceSession.ts';
export type { VoiceEvent, VoiceSessionOptions, VoiceTurnTaking } from './voice/VoiceSession.ts';
export { VoiceMetrics } from './voice/VoiceMetrics.ts';
export type { BargeInMetrics, VoiceTurnMetrics } from './voice/VoiceMetrics.ts';
export type { SttProvider, SttStream, SttResult } from './providers/stt/types.ts';
export { SpeechError } from './providers/stt/types.ts';
export type { TtsProvider, TtsStream } from './providers/tts/types.ts';
export { selectSpeech, missingSpeechEngines } from './providers/selectSpeech.ts';
export type { SpeechProviders, SpeechSelectionConfig } from './providers/selectSpeech.ts';
export { OpenAiSttProvider, PocketsphinxStt } from './providers/stt/index.ts';
export { EspeakTts, OpenAiTtsProvider } from './providers/tts/index.ts';
export { ReplyPreview } from './conversation/ReplyPreview.ts';
