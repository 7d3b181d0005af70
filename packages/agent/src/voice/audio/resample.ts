/**
 * Streaming sample-rate conversion for the voice path: 48 kHz from the room down to the 16 kHz
 * speech recognizers and VAD want, and any TTS rate (espeak-ng 22,050 Hz, OpenAI-style 24 kHz)
 * up to the 48 kHz Opus runs at.
 *
 * One polyphase windowed-sinc filter serves every ratio: for out/in = L/M (reduced) the
 * prototype low-pass is designed at in·L, cut off below the lower of the two Nyquist rates, and
 * split into L phases. It keeps the last taps of input between chunks, so chunking is invisible
 * in the output (no clicks at boundaries), and it allocates only when a chunk is larger than
 * any before it.
 */

export interface ResamplerOptions {
  /**
   * zero crossings of the sinc on each side, counted at the lower rate: more is a steeper
   * anti-alias slope for more CPU. 16 gives ~70 dB stop band with a transition of ~10% of the
   * lower Nyquist rate, far below what speech recognition or a phone speaker can notice.
   */
  zeroCrossings?: number;
  /** pass band edge as a fraction of the lower Nyquist rate */
  rolloff?: number;
}

export class Resampler {
  readonly inRate: number;
  readonly outRate: number;
  /** output samples per `step` inputs: out/in = up/down, reduced */
  private readonly up: number;
  private readonly down: number;
  private readonly taps: number;
  /** phase p's taps at p*taps, newest input first */
  private readonly bank: Float32Array;
  /** history (taps - 1 samples) followed by the chunk being converted */
  private work: Float32Array;
  private out: Int16Array;
  /** position of the next output, in 1/up input samples, relative to work[taps - 1] */
  private position = 0;

  constructor(inRate: number, outRate: number, options: ResamplerOptions = {}) {
    if (!(inRate > 0 && outRate > 0 && Number.isInteger(inRate) && Number.isInteger(outRate))) {
      throw new RangeError(`cannot resample ${inRate} Hz to ${outRate} Hz`);
    }
    this.inRate = inRate;
    this.outRate = outRate;
    const g = gcd(inRate, outRate);
    this.up = outRate / g;
    this.down = inRate / g;
    const zeroCrossings = options.zeroCrossings ?? 16;
    const rolloff = options.rolloff ?? 0.9;
    // Wider at the input rate when it is the higher one: the filter spans the same time either way.
    this.taps = Math.ceil((2 * zeroCrossings * inRate) / Math.min(inRate, outRate));
    this.bank = designBank(
      this.up,
      this.taps,
      (rolloff * Math.min(inRate, outRate)) / 2 / (inRate * this.up),
    );
    this.work = new Float32Array(this.taps - 1 + 4096);
    this.out = new Int16Array(this.maxOutput(4096));
  }

  /** The most samples `process` can return for `inputLength` samples in. */
  maxOutput(inputLength: number): number {
    return Math.ceil(((inputLength + 1) * this.up) / this.down) + 1;
  }

  /**
   * Converts one chunk. The result is a view of a buffer the resampler reuses: consume or copy
   * it before the next call.
   */
  process(input: Int16Array): Int16Array {
    const history = this.taps - 1;
    if (this.work.length < history + input.length) {
      const grown = new Float32Array(history + input.length);
      grown.set(this.work.subarray(0, history));
      this.work = grown;
      this.out = new Int16Array(this.maxOutput(input.length));
    }
    const work = this.work;
    for (let i = 0; i < input.length; i++) work[history + i] = (input[i] as number) / 32768;

    const { up, down, taps, bank, out } = this;
    // The newest input a filter output may read is work[history + input.length - 1].
    const limit = input.length * up;
    let position = this.position;
    let produced = 0;
    while (position < limit) {
      const whole = (position / up) | 0;
      const phase = position - whole * up;
      const newest = history + whole;
      const base = phase * taps;
      let acc = 0;
      for (let k = 0; k < taps; k++) acc += (bank[base + k] as number) * (work[newest - k] as number);
      const sample = Math.round(acc * 32768);
      out[produced++] = sample > 32767 ? 32767 : sample < -32768 ? -32768 : sample;
      position += down;
    }
    this.position = position - limit;
    work.copyWithin(0, input.length, input.length + history);
    return out.subarray(0, produced);
  }

  /**
   * Pushes out what the filter still holds (its delay, about `taps/2` input samples) as if
   * silence followed: call once at the end of a stream, e.g. the end of a TTS utterance.
   */
  flush(): Int16Array {
    return this.process(new Int16Array(Math.ceil(this.taps / 2)));
  }

  /** Forgets the history: the next chunk starts a new, unrelated stream. */
  reset(): void {
    this.work.fill(0);
    this.position = 0;
  }
}

/** Converts a whole signal at once (files, tests); streams keep one `Resampler` instead. */
export function resampleAll(input: Int16Array, inRate: number, outRate: number): Int16Array {
  if (inRate === outRate) return input.slice();
  const resampler = new Resampler(inRate, outRate);
  const body = resampler.process(input).slice();
  const tail = resampler.flush();
  const all = new Int16Array(body.length + tail.length);
  all.set(body);
  all.set(tail, body.length);
  return all;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Kaiser-windowed sinc at `up` times the input rate, with `cutoff` in cycles per sample of that
 * rate, cut into `up` phases of `taps` taps. Each phase is normalized to unity DC gain so the
 * level does not ripple with the phase (which would be heard as a tone at the phase rate).
 */
function designBank(up: number, taps: number, cutoff: number): Float32Array {
  const length = taps * up;
  const centre = (length - 1) / 2;
  const beta = 7;
  const i0Beta = besselI0(beta);
  const prototype = new Float64Array(length);
  for (let n = 0; n < length; n++) {
    const t = n - centre;
    const sinc = t === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
    const r = t / (centre + 1);
    prototype[n] = sinc * (besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta);
  }
  const bank = new Float32Array(length);
  for (let phase = 0; phase < up; phase++) {
    // An output at input position (whole + phase/up) meets input (whole - k) at prototype tap
    // k*up + phase: the zero-stuffed samples between inputs contribute nothing.
    let sum = 0;
    for (let k = 0; k < taps; k++) sum += prototype[k * up + phase] as number;
    for (let k = 0; k < taps; k++) bank[phase * taps + k] = (prototype[k * up + phase] as number) / sum;
  }
  return bank;
}

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}
