export type { TtsProvider, TtsStream } from './types.ts';
export { EspeakTts, type EspeakConfig } from './EspeakTts.ts';
export { OpenAiTtsProvider, type OpenAiTtsConfig } from './OpenAiTtsProvider.ts';
export { WavStreamReader, wavFile, type WavFormat } from './wav.ts';
