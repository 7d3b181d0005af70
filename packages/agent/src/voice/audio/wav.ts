/**
 * 16-bit PCM WAV in and out, for tests and for engines that speak WAV (espeak-ng writes it,
 * OpenAI-style TTS can return it). Reads any channel count (mixed down to mono) and skips the
 * extra chunks sox and others add; writes mono.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface WavAudio {
  sampleRate: number;
  /** mono */
  samples: Int16Array;
}

export class WavError extends Error {
  readonly code = 'WAV_UNSUPPORTED';
  constructor(message: string) {
    super(message);
    this.name = 'WavError';
  }
}

export function parseWav(bytes: Uint8Array): WavAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number): string =>
    String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0);
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new WavError('not a RIFF/WAVE file');
  let channels = 0;
  let sampleRate = 0;
  let bits = 0;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = tag(at);
    // Streamed writers (espeak-ng to a pipe) leave sizes unset; clamp to what is there.
    const size = Math.min(view.getUint32(at + 4, true), bytes.length - at - 8);
    const body = at + 8;
    if (id === 'fmt ') {
      const format = view.getUint16(body, true);
      channels = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bits = view.getUint16(body + 14, true);
      // 1 = PCM; 0xFFFE = WAVE_FORMAT_EXTENSIBLE, which sox uses for some layouts.
      if ((format !== 1 && format !== 0xfffe) || bits !== 16) {
        throw new WavError(`only 16-bit PCM is read (format ${format}, ${bits} bits)`);
      }
    } else if (id === 'data') {
      if (!channels) throw new WavError('data before fmt chunk');
      const frames = Math.floor(size / (2 * channels));
      const samples = new Int16Array(frames);
      for (let i = 0; i < frames; i++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) sum += view.getInt16(body + 2 * (i * channels + c), true);
        samples[i] = Math.round(sum / channels);
      }
      return { sampleRate, samples };
    }
    at = body + size + (size & 1);
  }
  throw new WavError('no data chunk');
}

export function readWav(path: string): WavAudio {
  return parseWav(readFileSync(path));
}

export function encodeWav(samples: Int16Array, sampleRate: number): Buffer {
  const out = Buffer.alloc(44 + samples.length * 2);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + samples.length * 2, 4);
  out.write('WAVEfmt ', 8, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i] as number, 44 + 2 * i);
  return out;
}

export function writeWav(path: string, samples: Int16Array, sampleRate: number): void {
  writeFileSync(path, encodeWav(samples, sampleRate));
}
