import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import { Room, type RemoteTrack } from '@liveport/sdk';

const { RTCVideoSource, RTCAudioSource, RTCVideoSink, RTCAudioSink } = wrtc.nonstandard;

// libwebrtc's media sources crash the process in their static destructors at a normal exit;
// leaving through process.exit once the event loop is empty skips them and keeps the code.
process.once('beforeExit', (code) => process.exit(code));

/**
 * A headless participant: the real SDK over @roamhq/wrtc and `ws`. It can publish synthetic
 * video (a moving gradient) and audio (a tone), and it counts the frames and audio it decodes.
 */
export class Bot {
  readonly framesByTrack = new Map<string, number>();
  audioSamples = 0;
  /** level of every received 10 ms audio frame, to tell speech from silence and when it stopped */
  readonly audioLevels: { at: number; rms: number }[] = [];
  firstFrameAt?: number;
  /** arrival time (performance.now) of every decoded video frame, for freeze measurements */
  readonly frameTimes: number[] = [];
  private timers: ReturnType<typeof setInterval>[] = [];
  private sinks: { stop(): void }[] = [];
  /** native tracks this bot made; left running they keep the process alive */
  private sources: MediaStreamTrack[] = [];

  private constructor(readonly room: Room) {
    room.on('trackSubscribed', (track) => this.sink(track));
    room.on('disconnected', () => this.stopMedia());
  }

  static async join(
    url: string,
    token: string,
    options: { room?: string; reconnect?: boolean } = {},
  ): Promise<Bot> {
    const room = await Room.connect(url, token, {
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      RTCPeerConnection: wrtc.RTCPeerConnection as unknown as typeof RTCPeerConnection,
      ...options,
    });
    return new Bot(room);
  }

  get framesDecoded(): number {
    let n = 0;
    for (const v of this.framesByTrack.values()) n += v;
    return n;
  }

  private sink(track: RemoteTrack): void {
    const media = track.mediaStreamTrack;
    if (!media) return;
    if (track.kind === 'video') {
      const sink = new RTCVideoSink(media);
      sink.onframe = () => {
        this.firstFrameAt ??= performance.now();
        this.frameTimes.push(performance.now());
        this.framesByTrack.set(track.sid, (this.framesByTrack.get(track.sid) ?? 0) + 1);
      };
      this.sinks.push(sink);
    } else {
      const sink = new RTCAudioSink(media);
      sink.ondata = (d: { samples: Int16Array }) => {
        this.audioSamples += d.samples.length;
        let sum = 0;
        for (let i = 0; i < d.samples.length; i++) sum += d.samples[i]! * d.samples[i]!;
        this.audioLevels.push({ at: performance.now(), rms: Math.sqrt(sum / Math.max(1, d.samples.length)) });
      };
      this.sinks.push(sink);
    }
  }

  /** Publish a 320x240 @30fps synthetic camera and a 440 Hz microphone tone. */
  async publishSynthetic(
    options: {
      video?: boolean;
      audio?: boolean;
      width?: number;
      height?: number;
      simulcast?: boolean;
      /** 0..1: share of the picture that is incompressible noise (the rest a moving gradient) */
      detail?: number;
    } = {},
  ) {
    const published = [];
    if (options.video !== false) {
      const width = options.width ?? 320;
      const height = options.height ?? 240;
      const source = new RTCVideoSource();
      const frame = new Uint8Array((width * height * 3) / 2);
      const detail = Math.min(1, Math.max(0, options.detail ?? 0));
      const noise =
        detail > 0 ? Uint8Array.from({ length: width * height * 2 }, () => Math.random() * 256) : undefined;
      let n = 0;
      this.timers.push(
        setInterval(() => {
          n++;
          for (let i = 0; i < width * height; i++) frame[i] = (i + n * 4) & 0xff;
          if (noise) {
            // a band of fresh noise: costs bits in proportion to its height
            const band = Math.round(width * height * detail);
            const offset = (n * 7919) % (width * height); // jump far each frame: nothing to predict from
            frame.set(noise.subarray(offset, offset + band));
          }
          frame.fill(128, width * height);
          source.onFrame({ width, height, data: frame });
        }, 33),
      );
      const track = source.createTrack();
      this.sources.push(track);
      published.push(
        await this.room.publishTrack(track, {
          source: 'camera',
          simulcast: options.simulcast ?? false,
          dimensions: { width, height },
        }),
      );
    }
    if (options.audio !== false) {
      const track = toneTrack(this.timers);
      this.sources.push(track);
      published.push(await this.room.publishTrack(track, { source: 'microphone' }));
    }
    return published;
  }

  /**
   * Publish a microphone that is silent until `play` is given 48 kHz PCM, which it sends in real
   * time (10 ms frames), as a person talking would; `play` resolves when the audio has gone.
   */
  async publishMicrophone(): Promise<{ play(pcm48k: Int16Array): Promise<void> }> {
    const source = new RTCAudioSource();
    const frame = new Int16Array(480);
    let queue: { pcm: Int16Array; offset: number; done: () => void }[] = [];
    const started = performance.now();
    let sent = 0;
    const tick = () => {
      // catch up to the wall clock, so timer jitter does not slow the speech down
      const due = Math.floor((performance.now() - started) / 10);
      for (; sent < due; sent++) {
        frame.fill(0);
        const current = queue[0];
        if (current) {
          const take = Math.min(480, current.pcm.length - current.offset);
          frame.set(current.pcm.subarray(current.offset, current.offset + take));
          current.offset += take;
          if (current.offset >= current.pcm.length) {
            queue = queue.slice(1);
            current.done();
          }
        }
        source.onData({
          samples: frame,
          sampleRate: 48000,
          bitsPerSample: 16,
          channelCount: 1,
          numberOfFrames: 480,
        });
      }
    };
    this.timers.push(setInterval(tick, 10));
    const track = source.createTrack();
    this.sources.push(track);
    await this.room.publishTrack(track, { source: 'microphone' });
    return {
      play: (pcm48k) => new Promise<void>((done) => queue.push({ pcm: pcm48k, offset: 0, done })),
    };
  }

  private stopMedia(): void {
    this.timers.forEach(clearInterval);
    this.timers = [];
    this.sinks.forEach((s) => s.stop());
    this.sinks = [];
    this.sources.forEach((t) => t.stop());
    this.sources = [];
  }

  async leave(): Promise<void> {
    // libwebrtc leaks a live handle when a connection is closed mid-handshake, and the test
    // process then never exits: let a connection that is still coming up finish first.
    const settled = () => !['new', 'connecting'].includes(this.room.connectionState);
    await until(settled, 3000, 'connection settles').catch(() => undefined);
    await this.room.leave();
    this.stopMedia();
  }
}

/** A wrtc microphone playing a 440 Hz tone; its 10 ms timer joins `timers`, for the caller to stop. */
export function toneTrack(timers: ReturnType<typeof setInterval>[]): MediaStreamTrack {
  const source = new RTCAudioSource();
  const samples = new Int16Array(480);
  let t = 0;
  timers.push(
    setInterval(() => {
      for (let i = 0; i < samples.length; i++, t++)
        samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * t) / 48000));
      source.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
    }, 10),
  );
  return source.createTrack();
}

/** Wait until the condition holds, polling; fails with the message after the timeout. */
export async function until(condition: () => boolean, timeoutMs: number, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${message}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
