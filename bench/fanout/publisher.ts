// The fan-out bench's publisher: one @roamhq/wrtc camera at 1280x720 sent as three simulcast
// layers plus an Opus tone, the same encodings whichever SFU it publishes to.
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import { Room } from '@liveport/sdk';
import type { JanusHandle } from './janus.ts';
import { toneTrack } from '../../test/support/bot.ts';

const { RTCVideoSource } = wrtc.nonstandard;

export const WIDTH = 1280;
export const HEIGHT = 720;

/**
 * The SDK's simulcast ladder at 720p (packages/sdk Room.ts), lowest first. Janus gets exactly
 * these encodings so both SFUs receive the same three streams.
 */
export const LADDER = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1_700_000 },
];

/** the 720p encoding */
export const TOP_RID = LADDER[LADDER.length - 1]!.rid;

/**
 * A moving gradient with a band of fresh noise: a plain gradient compresses to a fraction of
 * the 720p layer's 1.7 Mbit/s, and the bench should forward what a real camera sends.
 */
export class SyntheticMedia {
  readonly video: MediaStreamTrack;
  readonly audio: MediaStreamTrack;
  private readonly timers: ReturnType<typeof setInterval>[] = [];

  constructor(detail = 0.04) {
    const videoSource = new RTCVideoSource();
    const frame = new Uint8Array((WIDTH * HEIGHT * 3) / 2);
    const pixels = WIDTH * HEIGHT;
    const noise = Uint8Array.from({ length: pixels * 2 }, () => Math.random() * 256);
    const band = Math.round(pixels * detail);
    let n = 0;
    this.timers.push(
      setInterval(() => {
        n++;
        for (let i = 0; i < pixels; i++) frame[i] = (i + n * 4) & 0xff;
        const offset = (n * 7919) % pixels;
        frame.set(noise.subarray(offset, offset + band));
        frame.fill(128, pixels);
        videoSource.onFrame({ width: WIDTH, height: HEIGHT, data: frame });
      }, 33),
    );
    this.video = videoSource.createTrack();
    this.audio = toneTrack(this.timers);
  }

  stop(): void {
    this.timers.forEach(clearInterval);
    this.video.stop();
    this.audio.stop();
  }
}

/** Publish through the Liveport SDK, as a store's host would. */
export async function publishToLiveport(url: string, token: string, media: SyntheticMedia): Promise<Room> {
  const room = await Room.connect(url, token, {
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    RTCPeerConnection: wrtc.RTCPeerConnection as unknown as typeof RTCPeerConnection,
  });
  await room.publishTrack(media.video, {
    source: 'camera',
    simulcast: true,
    dimensions: { width: WIDTH, height: HEIGHT },
  });
  await room.publishTrack(media.audio, { source: 'microphone' });
  return room;
}

/** Publish into a Janus VideoRoom: join as publisher, then one offer with both tracks. */
export async function publishToJanus(
  handle: JanusHandle,
  room: number,
  media: SyntheticMedia,
): Promise<{ pc: RTCPeerConnection; feed: number }> {
  const joined = await handle.send({ request: 'join', ptype: 'publisher', room, display: 'host' });
  const feed = joined.data.id as number;
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] }) as unknown as RTCPeerConnection;
  pc.addTransceiver(media.video, { direction: 'sendonly', sendEncodings: LADDER });
  pc.addTransceiver(media.audio, { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const offer = { type: 'offer', sdp: loopbackOnly(pc.localDescription!.sdp), rid_order: 'lmh' };
  const configured = await handle.send({ request: 'publish', audio: true, video: true }, offer);
  if (!configured.jsep) throw new Error('janus: publish answered without SDP');
  await pc.setRemoteDescription(configured.jsep);
  return { pc, feed };
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState === 'complete') resolve();
    };
  });
}

/** Keep only loopback-range (127/8) UDP candidates: the bench's traffic stays on the loopback address. */
export function loopbackOnly(sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((l) => !l.startsWith('a=candidate:') || / udp \d+ 127\.\d+\.\d+\.\d+ /i.test(l))
    .join('\r\n');
}
