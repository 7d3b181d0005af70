/**
 * Opus for the voice agent: decodes the customer's RTP payloads to 48 kHz mono PCM and encodes
 * the agent's voice back, one codec per voice session.
 *
 * libopus comes from `opusscript`'s WebAssembly build (MIT, installs from npm with no native
 * compile; `@discordjs/opus` would need node-gyp, `opus-decoder` only decodes). We drive its
 * wasm module directly instead of through the package's `OpusScript` wrapper, because the
 * wrapper caches typed-array views of the wasm heap when it is constructed: once the heap grows
 * (a few hundred codecs in one process) every older codec's views are detached and it throws.
 * Reading the module's current heap views on each call survives growth, and it also spares the
 * wrapper's two copies per frame.
 */
import { createRequire } from 'node:module';

export const OPUS_SAMPLE_RATE = 48_000;
/** 20 ms at 48 kHz: the frame WebRTC endpoints send and expect */
export const OPUS_FRAME_SAMPLES = 960;
export const OPUS_FRAME_MS = 20;

export interface OpusCodecOptions {
  /** encoder target in bit/s; 24–32 kbit/s is transparent for speech in VOIP mode */
  bitrate?: number;
  /** in-band forward error correction, so a receiver can rebuild one lost packet from the next */
  fec?: boolean;
  /**
   * the loss the encoder should expect, in percent; libopus only spends bits on FEC when this is
   * above zero, and spends more as it rises
   */
  expectedLossPercent?: number;
  /** 0–10; 5 halves the CPU of 10 for speech at a quality difference few can hear */
  complexity?: number;
}

/** Something that turns one PCM frame into one Opus payload: what the pacer needs. */
export interface OpusFrameEncoder {
  encode(pcm: Int16Array): Buffer;
}

// The wasm side of opusscript: an embind class holding one libopus encoder and one decoder.
interface OpusWasmHandler {
  /** `bytes` > 0 asks for a byte-per-element input layout; 0 reads plain int16 samples */
  _encode(pcmPtr: number, bytes: number, outPtr: number, frameSize: number): number;
  /** writes each decoded sample as two 16-bit slots holding its low and high byte */
  _decode(dataPtr: number, bytes: number, pcmPtr: number): number;
  _encoder_ctl(ctl: number, arg: number): number;
  _decoder_ctl(ctl: number, arg: number): number;
}

interface OpusWasmModule {
  HEAP16: Int16Array;
  HEAPU8: Uint8Array;
  HEAPU16: Uint16Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  OpusScriptHandler: {
    new (sampleRate: number, channels: number, application: number): OpusWasmHandler;
    destroy_handler(handler: OpusWasmHandler): void;
  };
}

const APPLICATION_VOIP = 2048;
const SET_BITRATE = 4002;
const SET_COMPLEXITY = 4010;
const SET_INBAND_FEC = 4012;
const SET_PACKET_LOSS_PERC = 4014;
const SET_SIGNAL = 4024;
const SIGNAL_VOICE = 3001;
/** 60 ms, the longest frame an Opus packet may carry per frame */
const MAX_FRAME_SAMPLES = 2880;
/** 120 ms: a packet may hold several frames */
const MAX_PACKET_SAMPLES = 5760;
const MAX_PACKET_BYTES = 1276 * 3;

let wasm: OpusWasmModule | undefined;

function opusWasm(): OpusWasmModule {
  if (!wasm) {
    // Node compiles this module synchronously, so the handler class is usable on return.
    const require = createRequire(import.meta.url);
    const factory = require('opusscript/build/opusscript_native_wasm.js') as () => OpusWasmModule;
    wasm = warmUp(factory());
  }
  return wasm;
}

/**
 * V8 compiles wasm lazily and optimizes it on use, and the first few hundred milliseconds of
 * encoding once stalled the event loop for up to half a second: enough to break the first
 * reply of the process into pieces. Paying that once here, at load, keeps it off the air.
 */
function warmUp(mod: OpusWasmModule): OpusWasmModule {
  const handler = new mod.OpusScriptHandler(OPUS_SAMPLE_RATE, 1, APPLICATION_VOIP);
  const pcm = mod._malloc(OPUS_FRAME_SAMPLES * 2);
  const packet = mod._malloc(MAX_PACKET_BYTES);
  const decoded = mod._malloc(MAX_PACKET_SAMPLES * 4);
  let seed = 1;
  for (let frame = 0; frame < 50; frame++) {
    const base = pcm >> 1;
    for (let i = 0; i < OPUS_FRAME_SAMPLES; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      mod.HEAP16[base + i] = ((seed >>> 16) - 32768) >> 3;
    }
    const bytes = handler._encode(pcm, 0, packet, OPUS_FRAME_SAMPLES);
    if (bytes > 0) handler._decode(packet, bytes, decoded);
  }
  mod.OpusScriptHandler.destroy_handler(handler);
  mod._free(pcm);
  mod._free(packet);
  mod._free(decoded);
  return mod;
}

export class OpusCodecError extends Error {
  constructor(
    readonly code: 'OPUS_ENCODE_FAILED' | 'OPUS_DECODE_FAILED' | 'OPUS_BAD_FRAME' | 'OPUS_DESTROYED',
    message: string,
  ) {
    super(message);
    this.name = 'OpusCodecError';
  }
}

export class OpusCodec implements OpusFrameEncoder {
  private readonly mod: OpusWasmModule;
  private handler: OpusWasmHandler | undefined;
  private readonly pcmPtr: number;
  private readonly packetPtr: number;
  private readonly decodedPtr: number;
  private readonly decoded = new Int16Array(MAX_PACKET_SAMPLES);
  /** TOC byte of the last packet decoded: concealment reuses its mode and duration */
  private lastToc = -1;

  constructor(options: OpusCodecOptions = {}) {
    this.mod = opusWasm();
    const handler = new this.mod.OpusScriptHandler(OPUS_SAMPLE_RATE, 1, APPLICATION_VOIP);
    this.handler = handler;
    this.pcmPtr = this.mod._malloc(MAX_FRAME_SAMPLES * 2);
    this.packetPtr = this.mod._malloc(MAX_PACKET_BYTES);
    this.decodedPtr = this.mod._malloc(MAX_PACKET_SAMPLES * 4);
    const fec = options.fec ?? true;
    this.ctl(SET_SIGNAL, SIGNAL_VOICE);
    this.ctl(SET_BITRATE, options.bitrate ?? 28_000);
    this.ctl(SET_COMPLEXITY, options.complexity ?? 5);
    this.ctl(SET_INBAND_FEC, fec ? 1 : 0);
    this.ctl(SET_PACKET_LOSS_PERC, fec ? (options.expectedLossPercent ?? 10) : 0);
  }

  /** Encodes one frame (10, 20, 40 or 60 ms of 48 kHz mono) into a fresh payload the caller may keep. */
  encode(pcm: Int16Array): Buffer {
    const bytes = this.encodeToHeap(pcm);
    const payload = Buffer.allocUnsafe(bytes);
    payload.set(this.mod.HEAPU8.subarray(this.packetPtr, this.packetPtr + bytes));
    return payload;
  }

  /** Like `encode`, into the caller's buffer; returns the payload's length. */
  encodeInto(pcm: Int16Array, target: Uint8Array): number {
    const bytes = this.encodeToHeap(pcm);
    if (bytes > target.length) {
      throw new OpusCodecError(
        'OPUS_ENCODE_FAILED',
        `payload of ${bytes} bytes does not fit ${target.length}`,
      );
    }
    target.set(this.mod.HEAPU8.subarray(this.packetPtr, this.packetPtr + bytes));
    return bytes;
  }

  /**
   * Decodes one RTP payload. The samples are a view of a buffer this codec reuses: read or copy
   * them before the next `decode` or `conceal`.
   */
  decode(payload: Uint8Array): Int16Array {
    if (payload.length === 0 || payload.length > MAX_PACKET_BYTES) {
      throw new OpusCodecError('OPUS_BAD_FRAME', `an Opus payload of ${payload.length} bytes`);
    }
    const handler = this.live();
    this.mod.HEAPU8.set(payload, this.packetPtr);
    const samples = handler._decode(this.packetPtr, payload.length, this.decodedPtr);
    if (samples < 0) throw new OpusCodecError('OPUS_DECODE_FAILED', `libopus error ${samples}`);
    this.lastToc = payload[0] ?? -1;
    return this.readDecoded(samples);
  }

  /**
   * Stands in for one lost packet with libopus's packet loss concealment, as long as the last
   * packet received (20 ms from a browser). Same reuse rule as `decode`.
   *
   * A zero-length decode would conceal the decoder's whole 60 ms output span; a packet that is
   * only a TOC byte (code 0, frame of no bytes) is the standard's way to conceal exactly one
   * frame of the duration that byte announces. In-band FEC recovery is not offered: it needs
   * `opus_decode(..., decode_fec = 1)`, which opusscript's binding does not expose.
   */
  conceal(): Int16Array {
    const handler = this.live();
    if (this.lastToc < 0) return this.decoded.fill(0, 0, OPUS_FRAME_SAMPLES).subarray(0, OPUS_FRAME_SAMPLES);
    this.mod.HEAPU8[this.packetPtr] = this.lastToc & 0xfc;
    const samples = handler._decode(this.packetPtr, 1, this.decodedPtr);
    if (samples < 0) throw new OpusCodecError('OPUS_DECODE_FAILED', `libopus error ${samples} concealing`);
    return this.readDecoded(samples);
  }

  /** Frees the wasm memory; the codec cannot be used afterwards. */
  destroy(): void {
    if (!this.handler) return;
    this.mod.OpusScriptHandler.destroy_handler(this.handler);
    this.handler = undefined;
    this.mod._free(this.pcmPtr);
    this.mod._free(this.packetPtr);
    this.mod._free(this.decodedPtr);
  }

  private encodeToHeap(pcm: Int16Array): number {
    const n = pcm.length;
    // Opus takes 2.5, 5, 10, 20, 40 or 60 ms; below 10 ms is no use over RTP.
    if (n !== 480 && n !== 960 && n !== 1920 && n !== 2880) {
      throw new OpusCodecError('OPUS_BAD_FRAME', `cannot encode a frame of ${n} samples at 48 kHz`);
    }
    const handler = this.live();
    this.mod.HEAP16.set(pcm, this.pcmPtr >> 1);
    const bytes = handler._encode(this.pcmPtr, 0, this.packetPtr, n);
    if (bytes < 0) throw new OpusCodecError('OPUS_ENCODE_FAILED', `libopus error ${bytes}`);
    return bytes;
  }

  private readDecoded(samples: number): Int16Array {
    const slots = this.mod.HEAPU16;
    const out = this.decoded;
    let slot = this.decodedPtr >> 1;
    for (let i = 0; i < samples; i++, slot += 2) {
      out[i] = ((slots[slot + 1] as number) << 8) | (slots[slot] as number);
    }
    return out.subarray(0, samples);
  }

  private ctl(ctl: number, value: number): void {
    const result = this.live()._encoder_ctl(ctl, value);
    if (result < 0)
      throw new OpusCodecError('OPUS_ENCODE_FAILED', `encoder ctl ${ctl}=${value}: libopus error ${result}`);
  }

  private live(): OpusWasmHandler {
    if (!this.handler) throw new OpusCodecError('OPUS_DESTROYED', 'this Opus codec was destroyed');
    return this.handler;
  }
}
