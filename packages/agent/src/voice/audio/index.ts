/**
 * The voice agent's audio plumbing: Opus in and out, rate conversion, voice activity,
 * turn-taking, and real-time pacing of the agent's RTP audio.
 */
export {
  OpusCodec,
  OpusCodecError,
  OPUS_FRAME_MS,
  OPUS_FRAME_SAMPLES,
  OPUS_SAMPLE_RATE,
} from './OpusCodec.ts';
export type { OpusCodecOptions, OpusFrameEncoder } from './OpusCodec.ts';
export { Resampler, resampleAll } from './resample.ts';
export type { ResamplerOptions } from './resample.ts';
export {
  EnergyVad,
  SileroVad,
  VadError,
  createVad,
  sileroAvailable,
  sileroModelPath,
  VAD_FRAME_MS,
  VAD_FRAME_SAMPLES,
  VAD_SAMPLE_RATE,
} from './Vad.ts';
export type { EnergyVadOptions, SileroVadOptions, VadDecision, VoiceActivityDetector } from './Vad.ts';
export { Endpointer, looksLikeCompleteSentence } from './Endpointer.ts';
export type { EndpointerEvent, EndpointerOptions, EndpointerState } from './Endpointer.ts';
export { PcmQueue } from './PcmQueue.ts';
export { RtpOpusPacer, realClock } from './RtpOpusPacer.ts';
export type { PacerClock, PacerIdle, PacerStop, RtpOpusPacerOptions } from './RtpOpusPacer.ts';
export { encodeWav, parseWav, readWav, writeWav, WavError } from './wav.ts';
export type { WavAudio } from './wav.ts';
