export {
  SpeechError,
  type SpeechErrorCode,
  type SttProvider,
  type SttResult,
  type SttStream,
} from './types.ts';
export { PocketsphinxStt, POCKETSPHINX_MODEL_DIR, type PocketsphinxConfig } from './PocketsphinxStt.ts';
export { OpenAiSttProvider, type OpenAiSttConfig } from './OpenAiSttProvider.ts';
export type { SpeechApiConfig } from './SpeechApiClient.ts';
