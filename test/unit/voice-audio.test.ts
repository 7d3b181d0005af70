import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OPUS_FRAME_SAMPLES, OpusCodec } from '../../packages/agent/src/voice/audio/OpusCodec.ts';
import { Resampler, resampleAll } from '../../packages/agent/src/voice/audio/resample.ts';
import {
  EnergyVad,
  SileroVad,
  VAD_FRAME_MS,
  VAD_FRAME_SAMPLES,
  sileroAvailable,
  type VoiceActivityDetector,
} from '../../packages/agent/src/voice/audio/Vad.ts';
import { Endpointer, type EndpointerEvent } from '../../packages/agent/src/voice/audio/Endpointer.ts';
import { PcmQueue } from '../../packages/agent/src/voice/audio/PcmQueue.ts';
import { RtpOpusPacer, type PacerClock } from '../../packages/agent/src/voice/audio/RtpOpusPacer.ts';
import { encodeWav, parseWav, readWav } from '../../packages/agent/src/voice/audio/wav.ts';
import { concatAudio } from '../support/speech.ts';

function tone(hz: number, rate: number, seconds: number, amplitude = 8000): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++)
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate));
  return out;
}

/** amplitude of the `hz` component over samples [from, to) */
function amplitudeAt(x: Int16Array, hz: number, rate: number, from = 0, to = x.length): number {
  let re = 0;
  let im = 0;
  for (let i = from; i < to; i++) {
    const phase = (2 * Math.PI * hz * i) / rate;
    re += (x[i] as number) * Math.cos(phase);
    im += (x[i] as number) * Math.sin(phase);
  }
  return (2 * Math.hypot(re, im)) / (to - from);
}

function rms(x: Int16Array, from = 0, to = x.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += (x[i] as number) ** 2;
  return Math.sqrt(sum / (to - from));
}

/** deterministic white noise at `rmsLevel` */
function noise(samples: number, rmsLevel: number, seed = 1): Int16Array {
  let state = seed;
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) {
    // sum of four uniforms: near-Gaussian, variance 4/12
    let s = 0;
    for (let k = 0; k < 4; k++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      s += state / 2 ** 32 - 0.5;
    }
    out[i] = Math.round((s / Math.sqrt(4 / 12)) * rmsLevel);
  }
  return out;
}

function frames16k(x: Int16Array): Int16Array[] {
  const out: Int16Array[] = [];
  for (let at = 0; at + VAD_FRAME_SAMPLES <= x.length; at += VAD_FRAME_SAMPLES)
    out.push(x.subarray(at, at + VAD_FRAME_SAMPLES));
  return out;
}

function decisions(vad: VoiceActivityDetector, x: Int16Array): boolean[] {
  return frames16k(x).map((f) => vad.push(f).speech);
}

describe('OpusCodec', () => {
  it('keeps a 440 Hz tone through encode and decode', () => {
    const codec = new OpusCodec();
    const input = tone(440, 48_000, 1);
    const decoded: Int16Array[] = [];
    const payloadSizes: number[] = [];
    for (let at = 0; at < input.length; at += OPUS_FRAME_SAMPLES) {
      const payload = codec.encode(input.subarray(at, at + OPUS_FRAME_SAMPLES));
      payloadSizes.push(payload.length);
      decoded.push(codec.decode(payload).slice());
    }
    codec.destroy();
    const output = concatAudio(decoded);
    assert.equal(output.length, input.length);
    // skip the codec's start-up; compare the steady part
    const from = 4800;
    const at440 = amplitudeAt(output, 440, 48_000, from);
    assert.ok(Math.abs(20 * Math.log10(at440 / 8000)) < 1.5, `440 Hz level ${at440.toFixed(0)} of 8000`);
    for (const other of [220, 330, 660, 880, 1320]) {
      assert.ok(
        amplitudeAt(output, other, 48_000, from) < at440 / 30,
        `${other} Hz stays far below the tone`,
      );
    }
    // Same waveform, shifted by the codec's look-ahead: normalized correlation at the best lag.
    let best = 0;
    for (let lag = 0; lag < 1000; lag++) {
      let xy = 0;
      let xx = 0;
      let yy = 0;
      for (let i = from; i < 40_000; i++) {
        const a = input[i] as number;
        const b = output[i + lag] as number;
        xy += a * b;
        xx += a * a;
        yy += b * b;
      }
      best = Math.max(best, xy / Math.sqrt(xx * yy));
    }
    assert.ok(best > 0.97, `correlation ${best.toFixed(3)}`);
    const kbps = (payloadSizes.reduce((a, b) => a + b, 0) * 8) / 1000;
    assert.ok(kbps > 15 && kbps < 40, `bitrate ${kbps.toFixed(1)} kbit/s`);
  });

  it('conceals a lost packet with 20 ms that continue the sound', () => {
    const codec = new OpusCodec();
    const input = tone(440, 48_000, 0.2);
    for (let at = 0; at < input.length; at += OPUS_FRAME_SAMPLES) {
      codec.decode(codec.encode(input.subarray(at, at + OPUS_FRAME_SAMPLES)));
    }
    const concealed = codec.conceal();
    assert.equal(concealed.length, OPUS_FRAME_SAMPLES);
    assert.ok(rms(concealed) > 1000, `concealment is not silence (rms ${rms(concealed).toFixed(0)})`);
    const next = codec.decode(codec.encode(input.subarray(0, OPUS_FRAME_SAMPLES)));
    assert.equal(next.length, OPUS_FRAME_SAMPLES);
    codec.destroy();
  });

  it('keeps working after many more codecs grow the shared wasm heap', () => {
    const first = new OpusCodec();
    const others = Array.from({ length: 400 }, () => new OpusCodec());
    const pcm = tone(440, 48_000, 0.02);
    assert.equal(first.decode(first.encode(pcm)).length, OPUS_FRAME_SAMPLES);
    for (const codec of others) codec.destroy();
    first.destroy();
  });
});

describe('Resampler', () => {
  for (const [from, to, hz] of [
    [48_000, 16_000, 1000],
    [16_000, 48_000, 1000],
    [22_050, 48_000, 440],
    [24_000, 48_000, 3000],
  ] as const) {
    it(`keeps a ${hz} Hz tone's frequency and level from ${from} to ${to} Hz`, () => {
      const out = resampleAll(tone(hz, from, 1), from, to);
      assert.ok(Math.abs(out.length - to) < 64, `length ${out.length}`);
      const a = Math.round(to * 0.1);
      const b = Math.round(to * 0.9);
      const level = amplitudeAt(out, hz, to, a, b);
      assert.ok(Math.abs(20 * Math.log10(level / 8000)) < 0.2, `level ${level.toFixed(0)} of 8000`);
      const residue = rms(out, a, b) ** 2 - (level / Math.SQRT2) ** 2;
      assert.ok(residue < (8000 / 1000) ** 2, 'nothing but the tone comes out');
    });
  }

  it('filters what the lower rate cannot hold instead of folding it back', () => {
    const out = resampleAll(tone(10_000, 48_000, 1), 48_000, 16_000);
    assert.ok(
      rms(out, 1600, 14_400) < 8000 / 300,
      `a 10 kHz tone leaks ${rms(out, 1600, 14_400).toFixed(1)}`,
    );
  });

  it('gives the same samples however the input is chunked, with no clicks at the boundaries', () => {
    const input = tone(440, 22_050, 1);
    const whole = resampleAll(input, 22_050, 48_000);
    const resampler = new Resampler(22_050, 48_000);
    const pieces: Int16Array[] = [];
    const sizes = [1, 7, 100, 441, 1000, 3, 2048, 5000];
    for (let at = 0, k = 0; at < input.length; k++) {
      const n = Math.min(sizes[k % sizes.length] as number, input.length - at);
      pieces.push(resampler.process(input.subarray(at, at + n)).slice());
      at += n;
    }
    pieces.push(resampler.flush().slice());
    const chunked = concatAudio(pieces);
    assert.equal(chunked.length, whole.length);
    assert.deepEqual(chunked, whole);
    // a click is a jump larger than the tone's steepest slope
    const steepest = (2 * Math.PI * 440 * 8000) / 48_000;
    let jump = 0;
    for (let i = 2400; i < chunked.length - 2400; i++) {
      jump = Math.max(jump, Math.abs((chunked[i] as number) - (chunked[i - 1] as number)));
    }
    assert.ok(jump <= steepest * 1.05 + 1, `largest step ${jump} vs slope ${steepest.toFixed(0)}`);
  });
});

describe('wav', () => {
  it('reads back what it writes', () => {
    const samples = tone(440, 16_000, 0.1);
    const back = parseWav(encodeWav(samples, 16_000));
    assert.equal(back.sampleRate, 16_000);
    assert.deepEqual(back.samples, samples);
  });
});

describe('voice activity', () => {
  let dir: string;
  /** "hello there" from espeak-ng at 16 kHz, with 0.6 s of silence on each side */
  let speech: Int16Array;
  let speechFrames: { first: number; last: number };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'voice-audio-'));
    const file = join(dir, 'hello.wav');
    execFileSync('espeak-ng', ['-w', file, 'hello there']);
    const wav = readWav(file);
    const voice = resampleAll(wav.samples, wav.sampleRate, 16_000);
    const pad = new Int16Array(9600);
    speech = concatAudio([pad, voice, pad]);
    // the frames that hold the voice: its first and last samples above a whisper
    let first = -1;
    let last = -1;
    for (let i = 0; i < voice.length; i++) {
      if (Math.abs(voice[i] as number) > 300) {
        if (first < 0) first = i;
        last = i;
      }
    }
    speechFrames = {
      first: Math.floor((pad.length + first) / VAD_FRAME_SAMPLES),
      last: Math.floor((pad.length + last) / VAD_FRAME_SAMPLES),
    };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const detectors: [string, () => VoiceActivityDetector, boolean][] = [
    ['energy', () => new EnergyVad(), false],
    ['Silero', () => new SileroVad(), !sileroAvailable()],
  ];
  for (const [name, make, skip] of detectors) {
    describe(
      `${name} detector`,
      { skip: skip ? 'sherpa-onnx-node cannot load on this platform' : false },
      () => {
        it('finds speech in espeak-ng audio, and only there', () => {
          const vad = make();
          const speechy = decisions(vad, speech);
          vad.close();
          const inside = speechy.slice(speechFrames.first, speechFrames.last + 1);
          const voiced = inside.filter(Boolean).length / inside.length;
          assert.ok(voiced > 0.5, `${(voiced * 100).toFixed(0)}% of the spoken frames are speech`);
          // a frame or two of margin for the detector's own delay and the fade of the last word
          const margin = 3;
          const outside = speechy.filter(
            (s, i) => s && (i < speechFrames.first - 1 || i > speechFrames.last + margin),
          );
          assert.equal(outside.length, 0, 'no speech in the silence around it');
        });

        it('hears no speech in silence or in low noise', () => {
          for (const quiet of [new Int16Array(48_000), noise(48_000, 30), noise(48_000, 300, 7)]) {
            const vad = make();
            assert.equal(decisions(vad, quiet).filter(Boolean).length, 0);
            vad.close();
          }
        });
      },
    );
  }

  it(
    'Silero tells speech from noise as loud as speech, which energy cannot',
    { skip: !sileroAvailable() },
    () => {
      const loud = concatAudio([noise(16_000, 30), noise(48_000, 3000, 3)]);
      const silero = new SileroVad();
      assert.equal(decisions(silero, loud).filter(Boolean).length, 0);
      silero.close();
      const energy = new EnergyVad();
      assert.ok(decisions(energy, loud).some(Boolean), 'energy takes the noise onset for speech');
    },
  );

  it('energy detector settles on a new steady noise instead of calling it speech forever', () => {
    const vad = new EnergyVad();
    const steps = decisions(vad, concatAudio([noise(16_000, 30), noise(80_000, 2000, 5)]));
    assert.ok(
      steps.slice(-40).every((s) => !s),
      'the last 1.3 s of steady noise are not speech',
    );
  });
});

describe('Endpointer', () => {
  const F = VAD_FRAME_MS;

  /** feeds `pattern` ('#' speech, '.' silence) one frame per character from `startMs` */
  function run(endpointer: Endpointer, pattern: string, startMs = 0): EndpointerEvent[] {
    const events: EndpointerEvent[] = [];
    [...pattern].forEach((c, i) => {
      const e = endpointer.push(c === '#', startMs + (i + 1) * F);
      if (e) events.push(e);
    });
    return events;
  }

  it('reports a 100 ms cough as noise, not speech', () => {
    const events = run(new Endpointer(), '....###...........');
    assert.equal(events.length, 1);
    const [noiseEvent] = events;
    assert.equal(noiseEvent?.type, 'noise');
    if (noiseEvent?.type === 'noise') {
      assert.equal(noiseEvent.startMs, 4 * F);
      assert.equal(noiseEvent.voicedMs, 3 * F);
    }
  });

  it('accepts 300 ms of speech and dates it from its onset', () => {
    const events = run(new Endpointer({ minSpeechMs: 200 }), '.....##########');
    const start = events.find((e) => e.type === 'speechStart');
    assert.ok(start?.type === 'speechStart');
    assert.equal(start.onsetMs, 5 * F);
    assert.equal(start.confirmedAtMs, 12 * F, 'confirmed after 7 frames (224 ms) of voice');
  });

  it('ends the turn after the configured silence, dated where the speech stopped', () => {
    const endpointer = new Endpointer({ endSilenceMs: 600 });
    const events = run(endpointer, '..##########' + '.'.repeat(30));
    const end = events.find((e) => e.type === 'speechEnd');
    assert.ok(end?.type === 'speechEnd');
    assert.equal(end.endMs, 12 * F);
    assert.equal(end.onsetMs, 2 * F);
    assert.ok(end.confirmedAtMs - end.endMs >= 600 && end.confirmedAtMs - end.endMs < 600 + F);
    assert.equal(end.completeTranscript, false);
  });

  it('keeps the turn through a pause shorter than the silence', () => {
    const events = run(new Endpointer({ endSilenceMs: 600 }), '##########..........##########');
    assert.deepEqual(
      events.map((e) => e.type),
      ['speechStart'],
    );
  });

  it('ends sooner when the transcript is already a complete question', () => {
    const endpointer = new Endpointer({ endSilenceMs: 600, completeEndSilenceMs: 250 });
    const events = run(endpointer, '##########....');
    assert.deepEqual(
      events.map((e) => e.type),
      ['speechStart'],
    );
    // 4 silent frames (128 ms) so far; the recognizer's partial arrives
    assert.equal(endpointer.setTranscript('where is my order?', 14 * F), null);
    const later = run(endpointer, '....', 14 * F);
    const end = later.find((e) => e.type === 'speechEnd');
    assert.ok(end?.type === 'speechEnd');
    assert.equal(end.completeTranscript, true);
    assert.ok(end.confirmedAtMs - end.endMs >= 250 && end.confirmedAtMs - end.endMs < 250 + F);
  });

  it('ends at once when a complete transcript arrives after the short silence has passed', () => {
    const endpointer = new Endpointer({ endSilenceMs: 700, completeEndSilenceMs: 250 });
    run(endpointer, '##########..........');
    const end = endpointer.setTranscript('Where is my order?', 20 * F + 5);
    assert.equal(end?.type, 'speechEnd');
  });

  it('subtracts the detector delay so times are those of the audio', () => {
    const events = run(new Endpointer({ detectorDelayMs: F }), '..##########');
    const start = events.find((e) => e.type === 'speechStart');
    assert.ok(start?.type === 'speechStart');
    assert.equal(start.onsetMs, 1 * F);
  });
});

describe('PcmQueue', () => {
  it('cuts chunks of any size into whole frames, in order', () => {
    const queue = new PcmQueue(16);
    const input = Int16Array.from({ length: 1000 }, (_, i) => i);
    for (let at = 0, n = 1; at < input.length; at += n, n = (n * 7) % 97)
      queue.push(input.subarray(at, at + n));
    const frame = new Int16Array(96);
    const out: number[] = [];
    while (queue.read(frame)) out.push(...frame);
    assert.equal(queue.length, 1000 - out.length);
    assert.deepEqual(out, [...input.subarray(0, out.length)]);
  });
});

describe('RtpOpusPacer', () => {
  interface Sent {
    at: number;
    rtp: number;
    marker: boolean;
    bytes: number;
  }

  it('sends a frame every 20 ms with no drift over 2 s', async () => {
    const sent: Sent[] = [];
    let idle: { flushed: boolean } | undefined;
    const done = new Promise<void>((resolve) => {
      const pacer = new RtpOpusPacer({
        send: (payload, rtp, marker) =>
          sent.push({ at: performance.now(), rtp, marker, bytes: payload.length }),
        onIdle: (i) => {
          idle = i;
          pacer.close();
          resolve();
        },
        initialRtpTimestamp: 1000,
      });
      // TTS hands over faster than real time, in odd-sized chunks
      const audio = tone(300, 48_000, 2);
      for (let at = 0; at < audio.length; at += 7_000) pacer.push(audio.subarray(at, at + 7_000));
      pacer.flush();
    });
    await done;
    assert.equal(sent.length, 100);
    assert.equal(idle?.flushed, true, 'idle after the flushed utterance played out');
    const span = (sent[99] as Sent).at - (sent[0] as Sent).at;
    assert.ok(Math.abs(span - 99 * 20) < 40, `100 frames spanned ${span.toFixed(1)} ms, not 1980`);
    // Each frame is measured against its own slot on the absolute schedule: a pacer that chains
    // its delays drifts later with every frame, one that catches up after a stall of a busy
    // machine stays on its slots.
    const lateness: number[] = [];
    for (let i = 1; i < sent.length; i++) {
      assert.equal((sent[i] as Sent).rtp - (sent[i - 1] as Sent).rtp, 960);
      lateness.push((sent[i] as Sent).at - ((sent[0] as Sent).at + i * 20));
    }
    lateness.sort((a, b) => a - b);
    assert.ok((lateness[0] as number) > -2, `a frame went ${lateness[0]} ms early`);
    const median = lateness[49] as number;
    assert.ok(median < 5, `median lateness ${median.toFixed(1)} ms`);
    assert.deepEqual(
      sent.map((s) => s.marker),
      [true, ...Array<boolean>(99).fill(false)],
    );
  });

  it('stops within one frame on clear() and reports the last send', async () => {
    const sent: number[] = [];
    const pacer = new RtpOpusPacer({ send: () => sent.push(performance.now()) });
    pacer.push(tone(300, 48_000, 2));
    await new Promise((r) => setTimeout(r, 300));
    const clearedAt = performance.now();
    const stop = pacer.clear();
    const countAtClear = sent.length;
    await new Promise((r) => setTimeout(r, 100));
    pacer.close();
    assert.equal(sent.length, countAtClear, 'nothing is sent after clear()');
    assert.ok(stop.lastSentAtMs !== null && stop.lastSentAtMs - clearedAt < 20);
    assert.equal(stop.sentMs, sent.length * 20);
    assert.equal(stop.sentMs + stop.droppedMs, 2000, 'every queued millisecond was either played or dropped');
    assert.ok(stop.sentMs >= 200, `played ${stop.sentMs} ms before the barge-in`);
    assert.equal(pacer.playing, false);
  });

  it('sends nothing while idle and resumes with a marker and the timestamp moved on by the pause', () => {
    let now = 0;
    const timers: { at: number; fn: () => void }[] = [];
    const clock: PacerClock = {
      now: () => now,
      setTimer: (fn, delay) => {
        const timer = { at: now + delay, fn };
        timers.push(timer);
        return timer;
      },
      clearTimer: (h) => {
        const i = timers.indexOf(h as (typeof timers)[number]);
        if (i >= 0) timers.splice(i, 1);
      },
    };
    const advance = (ms: number): void => {
      const until = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > until) break;
        timers.shift();
        now = next.at;
        next.fn();
      }
      now = until;
    };
    const sent: Sent[] = [];
    const pacer = new RtpOpusPacer({
      send: (p, rtp, marker) => sent.push({ at: now, rtp, marker, bytes: p.length }),
      clock,
      initialRtpTimestamp: 0,
    });
    pacer.push(tone(300, 48_000, 0.1));
    pacer.flush();
    advance(1000);
    assert.equal(sent.length, 5);
    assert.equal(timers.length, 0, 'no timer runs while idle');
    pacer.push(tone(300, 48_000, 0.04));
    advance(100);
    pacer.close();
    assert.equal(sent.length, 7);
    const resumed = sent[5] as Sent;
    assert.equal(resumed.marker, true);
    assert.equal(resumed.rtp, 1000 * 48, 'timestamp follows the wall clock across the pause');
    assert.equal((sent[6] as Sent).rtp - resumed.rtp, 960);
  });
});
