/**
 * Voice activity detection over 16 kHz mono frames: is the customer speaking in this frame?
 *
 * Two detectors behind one interface. `EnergyVad` runs anywhere for almost nothing and is good
 * on a clean line; `SileroVad` runs the Silero neural model and tells speech from noise that is
 * as loud as speech (typing, traffic, music), which energy cannot.
 *
 * How Silero runs here, and why this way (measured on this machine, Node 20, one core):
 * - `onnxruntime-node` does not install: its install script fetches from outside.
 * - `onnxruntime-web` (wasm, single thread) installs and runs the model in Node: 30–60 ms of
 *   CPU per second of audio, ~1 s to load, an async `run()`, 139 MB on disk.
 * - `sherpa-onnx-node` ships ONNX Runtime as a native library inside the npm package
 *   `sherpa-onnx-linux-x64` (32 MB; sibling packages cover macOS, Windows and arm64): about
 *   3.5 ms of CPU per second of audio (10× less, which is what decides how many voice sessions
 *   a node holds), 70 ms to load, and a synchronous call that fits `push()`. Chosen.
 * Both run the same model, so accuracy is the same; sherpa reports the thresholded decision
 * (with Silero's own 0.15 hysteresis) rather than the raw probability, so `probability` is 1 or 0
 * for `SileroVad`. The model file is `silero_vad_v5.onnx` from `@ricky0123/vad-web`, the npm
 * package that ships the Silero files; nothing is fetched at run time. (That package depends
 * on onnxruntime-web, so those 139 MB are installed too, unused: every other npm package that
 * carries the model depends on onnxruntime-node, which cannot install.)
 */
import { createRequire } from 'node:module';

export const VAD_SAMPLE_RATE = 16_000;
/** 32 ms at 16 kHz: the window Silero v5 is trained on; the energy detector uses the same */
export const VAD_FRAME_SAMPLES = 512;
export const VAD_FRAME_MS = (VAD_FRAME_SAMPLES / VAD_SAMPLE_RATE) * 1000;

export interface VadDecision {
  speech: boolean;
  /** 0..1: how sure the detector is that the frame holds speech */
  probability: number;
}

export interface VoiceActivityDetector {
  readonly kind: 'energy' | 'silero';
  /** frames passed to `push` must be exactly this long (16 kHz samples) */
  readonly frameSamples: number;
  /**
   * how much later than the audio the detector's decisions change, in ms, at the start and at
   * the end of speech; the endpointer subtracts it to date both where they happened
   */
  readonly decisionDelayMs: number;
  /** The decision object is reused by the next call: read it, do not keep it. */
  push(frame16k: Int16Array): VadDecision;
  /** a new utterance stream starts (e.g. after a long pause in the call) */
  reset(): void;
  close(): void;
}

export class VadError extends Error {
  constructor(
    readonly code: 'VAD_BAD_FRAME' | 'VAD_UNAVAILABLE',
    message: string,
  ) {
    super(message);
    this.name = 'VadError';
  }
}

export interface EnergyVadOptions {
  /** speech starts when a frame is this far above the noise floor (dB) */
  startMarginDb?: number;
  /** and continues while it stays this far above it: hysteresis keeps soft word ends */
  continueMarginDb?: number;
  /** below this level (dBFS) nothing is speech, whatever the floor: digital silence, hiss */
  minLevelDb?: number;
  /** how fast the floor may climb while the level is above it (dB per second) */
  floorRiseDbPerSecond?: number;
}

/**
 * Frame energy against an adaptive noise floor. The floor falls at once to any quieter frame
 * and climbs only slowly, so it sits at the background between words. A new steady noise (a fan
 * switched on) would read as endless speech; speech is never steady for long, so a level that
 * holds within a few dB for over a second is taken as the new floor.
 */
export class EnergyVad implements VoiceActivityDetector {
  readonly kind = 'energy';
  readonly frameSamples = VAD_FRAME_SAMPLES;
  readonly decisionDelayMs = 0;
  private readonly startMargin: number;
  private readonly continueMargin: number;
  private readonly minLevel: number;
  private readonly riseDb: number;
  private readonly decision: VadDecision = { speech: false, probability: 0 };
  private floor = Number.NaN;
  private speaking = false;
  // high-pass state: removes DC and rumble below ~100 Hz that carry energy but no speech
  private prevIn = 0;
  private prevOut = 0;
  // running mean of the level and how long it has held near it, to spot a steady noise
  private levelMean = 0;
  private steadyMs = 0;

  constructor(options: EnergyVadOptions = {}) {
    this.startMargin = options.startMarginDb ?? 10;
    this.continueMargin = options.continueMarginDb ?? 6;
    this.minLevel = options.minLevelDb ?? -55;
    this.riseDb = ((options.floorRiseDbPerSecond ?? 1.5) * VAD_FRAME_MS) / 1000;
  }

  push(frame16k: Int16Array): VadDecision {
    const n = frame16k.length;
    if (n === 0) throw new VadError('VAD_BAD_FRAME', 'an empty frame');
    const frameMs = (n / VAD_SAMPLE_RATE) * 1000;
    const a = 0.96;
    let prevIn = this.prevIn;
    let prevOut = this.prevOut;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const x = (frame16k[i] as number) / 32768;
      const y = a * (prevOut + x - prevIn);
      prevIn = x;
      prevOut = y;
      sum += y * y;
    }
    this.prevIn = prevIn;
    this.prevOut = prevOut;
    const level = Math.max(-100, 10 * Math.log10(sum / n + 1e-12));

    if (Number.isNaN(this.floor)) {
      // The first frame is the best guess of the background: calls start with the agent talking.
      this.floor = level;
      this.levelMean = level;
    }
    this.trackSteadiness(level, frameMs);

    const above = level - this.floor;
    const margin = this.speaking ? this.continueMargin : this.startMargin;
    this.speaking = above > margin && level > this.minLevel;

    if (level < this.floor) this.floor += (level - this.floor) * 0.5;
    else this.floor += Math.min(above, (this.riseDb * frameMs) / VAD_FRAME_MS);
    if (this.steadyMs >= 1200) {
      this.floor = Math.max(this.floor, this.levelMean - 1);
      this.steadyMs = 0;
    }

    this.decision.speech = this.speaking;
    this.decision.probability =
      level > this.minLevel ? 1 / (1 + Math.exp(-(above - this.startMargin) / 2)) : 0;
    return this.decision;
  }

  reset(): void {
    this.floor = Number.NaN;
    this.speaking = false;
    this.prevIn = this.prevOut = 0;
    this.levelMean = this.steadyMs = 0;
  }

  close(): void {}

  private trackSteadiness(level: number, frameMs: number): void {
    // ~200 ms memory: quick to follow a new noise, too slow to follow syllables, which swing
    // the level by 10 dB or more several times a second.
    this.levelMean += Math.min(1, frameMs / 200) * (level - this.levelMean);
    const steady = Math.abs(level - this.levelMean) < 3 && this.levelMean - this.floor > this.continueMargin;
    this.steadyMs = steady ? this.steadyMs + frameMs : 0;
  }
}

export interface SileroVadOptions {
  /** speech when the model's probability exceeds this; it ends below threshold − 0.15 */
  threshold?: number;
  /** a path to another Silero ONNX file (v4 or v5); defaults to v5 from @ricky0123/vad-web */
  modelPath?: string;
}

// The part of sherpa-onnx-node's JavaScript API used here (the package ships no types).
interface SherpaVad {
  acceptWaveform(samples: Float32Array): void;
  isDetected(): boolean;
  isEmpty(): boolean;
  pop(): void;
  reset(): void;
}
interface SherpaModule {
  Vad: new (
    config: {
      sileroVad: {
        model: string;
        threshold: number;
        minSilenceDuration: number;
        minSpeechDuration: number;
        maxSpeechDuration: number;
        windowSize: number;
      };
      sampleRate: number;
      numThreads: number;
      provider: string;
      debug: number;
    },
    bufferSizeInSeconds: number,
  ) => SherpaVad;
}

const require = createRequire(import.meta.url);

/** The Silero v5 model shipped in the `@ricky0123/vad-web` npm package. */
export function sileroModelPath(): string {
  return require.resolve('@ricky0123/vad-web/dist/silero_vad_v5.onnx');
}

/** Whether Silero can run on this machine (the native runtime exists for this platform). */
export function sileroAvailable(): boolean {
  try {
    loadSherpa();
    sileroModelPath();
    return true;
  } catch {
    return false;
  }
}

let sherpa: SherpaModule | undefined;
function loadSherpa(): SherpaModule {
  sherpa ??= require('sherpa-onnx-node') as SherpaModule;
  return sherpa;
}

export class SileroVad implements VoiceActivityDetector {
  readonly kind = 'silero';
  readonly frameSamples = VAD_FRAME_SAMPLES;
  // sherpa confirms speech on the second window above threshold and silence on the second
  // below it: both one window after the audio.
  readonly decisionDelayMs = VAD_FRAME_MS;
  private readonly vad: SherpaVad;
  private readonly samples = new Float32Array(VAD_FRAME_SAMPLES);
  private readonly decision: VadDecision = { speech: false, probability: 0 };

  constructor(options: SileroVadOptions = {}) {
    let mod: SherpaModule;
    try {
      mod = loadSherpa();
    } catch (err) {
      throw new VadError('VAD_UNAVAILABLE', `sherpa-onnx-node cannot load here: ${(err as Error).message}`);
    }
    this.vad = new mod.Vad(
      {
        sileroVad: {
          model: options.modelPath ?? sileroModelPath(),
          threshold: options.threshold ?? 0.5,
          // Debouncing belongs to the endpointer, which knows about barge-in, so sherpa's own
          // minimums are kept below one window. Not 0: the binding reads 0 as "use the default"
          // (0.25 s of speech, 0.5 s of silence), which delayed every decision by that much.
          minSilenceDuration: 0.001,
          minSpeechDuration: 0.001,
          // sherpa keeps the current segment's audio until it ends; 30 s bounds that memory.
          maxSpeechDuration: 30,
          windowSize: VAD_FRAME_SAMPLES,
        },
        sampleRate: VAD_SAMPLE_RATE,
        numThreads: 1,
        provider: 'cpu',
        debug: 0,
      },
      40,
    );
  }

  push(frame16k: Int16Array): VadDecision {
    if (frame16k.length !== VAD_FRAME_SAMPLES) {
      throw new VadError(
        'VAD_BAD_FRAME',
        `Silero takes ${VAD_FRAME_SAMPLES} samples, not ${frame16k.length}`,
      );
    }
    const samples = this.samples;
    for (let i = 0; i < VAD_FRAME_SAMPLES; i++) samples[i] = (frame16k[i] as number) / 32768;
    this.vad.acceptWaveform(samples);
    // Finished segments are sherpa's copy of the audio; the session keeps its own, so drop them.
    while (!this.vad.isEmpty()) this.vad.pop();
    const speech = this.vad.isDetected();
    this.decision.speech = speech;
    this.decision.probability = speech ? 1 : 0;
    return this.decision;
  }

  reset(): void {
    this.vad.reset();
  }

  close(): void {
    // The native detector is released by its finalizer; reset drops the audio it holds now.
    this.vad.reset();
  }
}

/** Silero when it can run here, else the energy detector. */
export function createVad(kind: 'energy' | 'silero' | 'auto' = 'auto'): VoiceActivityDetector {
  if (kind === 'energy') return new EnergyVad();
  if (kind === 'silero' || sileroAvailable()) return new SileroVad();
  return new EnergyVad();
}
