/**
 * Plays the agent's voice into the room in real time: PCM chunks of any size in (TTS output,
 * already at 48 kHz), one Opus payload out every 20 ms, with the RTP timestamp it belongs at.
 *
 * Frames are due at absolute times (start + 20 ms × n) and each timer is set for the next due
 * time, so timer lateness never accumulates: over a minute the packets are as many as the
 * minute holds. A stall of the event loop is caught up with a short burst (the receiver's
 * jitter buffer absorbs it); a stall too long for that restarts the schedule rather than
 * flooding the receiver.
 *
 * Encoding happens when a frame is sent, not when it is queued, so a barge-in that drops five
 * seconds of queued speech wastes no CPU on it.
 *
 * Idle means no packets at all, not encoded silence and not comfort noise. The agent's voice is
 * synthetic and has no background to reproduce, an idle agent then costs neither CPU nor
 * bandwidth, and WebRTC receivers expect gaps: each new talkspurt carries the marker bit and a
 * timestamp advanced by the wall-clock gap, which is how Opus DTX senders resume too.
 */
import {
  OPUS_FRAME_MS,
  OPUS_FRAME_SAMPLES,
  OPUS_SAMPLE_RATE,
  OpusCodec,
  type OpusFrameEncoder,
} from './OpusCodec.ts';
import { PcmQueue } from './PcmQueue.ts';

export interface PacerClock {
  /** milliseconds, monotonic */
  now(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

export const realClock: PacerClock = {
  now: () => performance.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface PacerIdle {
  /** true when the queue ran out after `flush()`; false for an underrun (more audio was due) */
  flushed: boolean;
  /** clock time the last frame was sent */
  lastSentAtMs: number;
}

export interface PacerStop {
  /** clock time the last frame went out, null if nothing was ever sent */
  lastSentAtMs: number | null;
  /** queued audio that will never be heard (ms) */
  droppedMs: number;
  /** all audio sent since the pacer was made (ms), for cutting a reply at what was heard */
  sentMs: number;
}

export interface RtpOpusPacerOptions {
  /** hands one payload to the track; the payload is the caller's to keep */
  send(payload: Buffer, rtpTimestamp: number, marker: boolean): void;
  /** the session's codec; the pacer makes (and on close frees) its own if none is given */
  encoder?: OpusFrameEncoder;
  /** the queue ran dry */
  onIdle?: (idle: PacerIdle) => void;
  onError?: (err: unknown) => void;
  clock?: PacerClock;
  /** random by default, as RFC 3550 asks */
  initialRtpTimestamp?: number;
  /** lateness beyond which the schedule restarts instead of catching up (ms) */
  maxCatchUpMs?: number;
  /**
   * on `clear()`, send the next queued frame faded to silence: the receiver then conceals from
   * silence instead of stretching a cut-off vowel into a buzz
   */
  fadeOnClear?: boolean;
}

const SAMPLES_PER_MS = OPUS_SAMPLE_RATE / 1000;
const TWO_32 = 2 ** 32;

export class RtpOpusPacer {
  private readonly opts: RtpOpusPacerOptions;
  private readonly encoder: OpusFrameEncoder;
  private readonly ownCodec: OpusCodec | undefined;
  private readonly clock: PacerClock;
  private readonly queue = new PcmQueue(OPUS_SAMPLE_RATE * 2);
  private readonly frame = new Int16Array(OPUS_FRAME_SAMPLES);
  private readonly maxCatchUp: number;
  private timer: unknown = undefined;
  /** clock time the next frame is due; null while idle */
  private nextDueMs: number | null = null;
  private flushRequested = false;
  private closed = false;
  /** RTP timestamp of the next frame, unwrapped */
  private rtp: number;
  /** wall time at which `rtp` would be due if sending had never paused */
  private rtpAnchor: { wallMs: number; rtp: number } | undefined;
  private markerNext = true;
  private lastSentAt: number | null = null;
  private sentSamples = 0;

  constructor(options: RtpOpusPacerOptions) {
    this.opts = options;
    this.ownCodec = options.encoder ? undefined : new OpusCodec();
    this.encoder = options.encoder ?? (this.ownCodec as OpusCodec);
    this.clock = options.clock ?? realClock;
    this.maxCatchUp = options.maxCatchUpMs ?? 200;
    this.rtp = options.initialRtpTimestamp ?? Math.floor(Math.random() * TWO_32);
  }

  /** audio waiting to be sent (ms) */
  get queuedMs(): number {
    return this.queue.length / SAMPLES_PER_MS;
  }

  /** whether frames are being sent */
  get playing(): boolean {
    return this.nextDueMs !== null;
  }

  /** all audio sent so far (ms) */
  get sentMs(): number {
    return this.sentSamples / SAMPLES_PER_MS;
  }

  /** Queues 48 kHz mono PCM; sending starts at once if the pacer was idle. */
  push(pcm48k: Int16Array): void {
    if (this.closed || pcm48k.length === 0) return;
    this.queue.push(pcm48k);
    if (this.nextDueMs === null && this.queue.length >= OPUS_FRAME_SAMPLES) this.start();
  }

  /**
   * The utterance is complete: play out what is queued, the last partial frame padded with
   * silence, then go idle.
   */
  flush(): void {
    if (this.closed) return;
    this.flushRequested = true;
    if (this.nextDueMs === null && this.queue.length > 0) this.start();
  }

  /** Barge-in: stop now and drop everything queued. */
  clear(): PacerStop {
    const queued = this.queue.length;
    const wasPlaying = this.nextDueMs !== null;
    if (wasPlaying && queued > 0 && (this.opts.fadeOnClear ?? true)) {
      // The faded frame goes out now, a little before its due time; receivers buffer that.
      const real = this.queue.readPadded(this.frame);
      const frame = this.frame;
      for (let i = 0; i < real; i++) frame[i] = Math.round(((frame[i] as number) * (real - i)) / real);
      this.sendFrame(this.clock.now());
    }
    const dropped = this.queue.discard();
    this.stop();
    this.flushRequested = false;
    return { lastSentAtMs: this.lastSentAt, droppedMs: dropped / SAMPLES_PER_MS, sentMs: this.sentMs };
  }

  close(): void {
    this.queue.discard();
    this.stop();
    this.closed = true;
    this.ownCodec?.destroy();
  }

  private start(): void {
    const now = this.clock.now();
    this.nextDueMs = now;
    this.markerNext = true;
    // After a pause the timestamp moves on by the pause, so the receiver plays the next
    // talkspurt after a gap of the right length instead of glued to the last one.
    if (this.rtpAnchor) {
      const byClock = this.rtpAnchor.rtp + Math.round((now - this.rtpAnchor.wallMs) * SAMPLES_PER_MS);
      this.rtp = Math.max(this.rtp, byClock);
    }
    this.rtpAnchor = { wallMs: now, rtp: this.rtp };
    this.tick();
  }

  private stop(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.nextDueMs = null;
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    if (this.nextDueMs === null) return;
    const now = this.clock.now();
    if (now - this.nextDueMs > this.maxCatchUp) this.nextDueMs = now;
    // Timers fire up to a millisecond either side of their mark; a frame that is due within
    // that goes now rather than one timer later.
    while (this.nextDueMs !== null && this.nextDueMs <= now + 1) {
      if (this.queue.read(this.frame)) {
        this.sendFrame(now);
      } else if (this.flushRequested && this.queue.length > 0) {
        this.queue.readPadded(this.frame);
        this.sendFrame(now);
      } else {
        this.goIdle();
        return;
      }
      this.nextDueMs += OPUS_FRAME_MS;
    }
    if (this.nextDueMs !== null) {
      this.timer = this.clock.setTimer(this.tick, Math.max(1, Math.floor(this.nextDueMs - now)));
    }
  };

  private sendFrame(now: number): void {
    try {
      const payload = this.encoder.encode(this.frame);
      this.opts.send(payload, this.rtp % TWO_32, this.markerNext);
    } catch (err) {
      (this.opts.onError ?? ((e: unknown) => console.error('voice pacer: sending a frame failed', e)))(err);
    }
    this.markerNext = false;
    this.rtp += OPUS_FRAME_SAMPLES;
    this.sentSamples += OPUS_FRAME_SAMPLES;
    this.lastSentAt = now;
  }

  private goIdle(): void {
    const flushed = this.flushRequested;
    this.flushRequested = false;
    this.stop();
    try {
      this.opts.onIdle?.({ flushed, lastSentAtMs: this.lastSentAt ?? this.clock.now() });
    } catch (err) {
      (this.opts.onError ?? ((e: unknown) => console.error('voice pacer: onIdle threw', e)))(err);
    }
  }
}
