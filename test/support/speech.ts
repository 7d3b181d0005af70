import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWav, resampleAll } from '../../packages/agent/src/voice/audio/index.ts';

/** Real speech for a test's customer: espeak-ng says the text, resampled to 48 kHz. */
export function spoken(text: string, voice = 'en-us', wordsPerMinute = 160): Int16Array {
  const dir = mkdtempSync(join(tmpdir(), 'liveport-speech-'));
  try {
    const file = join(dir, 'say.wav');
    execFileSync('espeak-ng', ['-v', voice, '-s', String(wordsPerMinute), '-w', file, text]);
    const wav = readWav(file);
    return resampleAll(wav.samples, wav.sampleRate, 48_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A burst of noise as long as a cough, at speech level. */
export function cough(ms = 100): Int16Array {
  const out = new Int16Array((48_000 * ms) / 1000);
  let seed = 7;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const envelope = Math.sin((Math.PI * i) / out.length);
    out[i] = Math.round(((seed / 0x7fffffff) * 2 - 1) * 9000 * envelope);
  }
  return out;
}

/** Pieces of audio one after another, as one buffer (speech, silences, coughs). */
export function concatAudio(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
