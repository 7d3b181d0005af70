import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { MediaStreamTrack, RTCRtpCodecParameters, type RtpPacket } from 'werift';
import { MediaRecorder } from 'werift/nonstandard';
import type { PublishedTrack } from '@liveport/media';

/**
 * One consultation being recorded: every published track of the room, as the node receives
 * it, written to a single WebM file.
 *
 * Why werift's WebM writer and not hand-made Ogg + IVF files: the call has up to four tracks
 * (each side's camera and microphone) and one file that any browser plays is what the store
 * keeps with the conversation. werift's recorder already depacketizes VP8 and Opus, waits for
 * a keyframe and orders packets in a jitter buffer; it only needs RTP, which a
 * PublishedTrack's `tap` gives in-process, so no extra transport is opened. NTP sync is off:
 * the tracks come from two browsers whose sender reports we do not pass in, so the writer
 * times each track by its own RTP clock.
 */
export class RecordingSession {
  private readonly recorder: MediaRecorder;
  private readonly untaps: (() => void)[] = [];
  private stopped?: Promise<number>;

  constructor(
    readonly file: string,
    tracks: readonly PublishedTrack[],
  ) {
    mkdirSync(dirname(file), { recursive: true });
    const inputs = tracks.filter(recordable).map((published, i) => {
      const track = new MediaStreamTrack({
        kind: published.kind,
        codec: new RTCRtpCodecParameters({
          mimeType: published.mimeType,
          clockRate: published.clockRate,
          payloadType: 96 + i,
          ...(published.kind === 'audio' && { channels: 2 }),
        }),
      });
      // The first encoding only: a simulcast camera's other layers would be other streams.
      let ssrc: number | undefined;
      this.untaps.push(
        published.tap((rtp: RtpPacket) => {
          ssrc ??= rtp.header.ssrc;
          if (rtp.header.ssrc === ssrc) track.writeRtp(rtp);
        }),
      );
      // The writer starts a video track at a keyframe: ask for one instead of waiting for it.
      published.requestKeyframe();
      return track;
    });
    if (inputs.length === 0) throw new Error('nothing to record: no audio or video track yet');
    this.recorder = new MediaRecorder({
      path: file,
      tracks: inputs,
      width: 640,
      height: 480,
      disableNtp: true,
      disableLipSync: true,
    });
  }

  /** Stop and finish the file; resolves with its size in bytes. */
  stop(): Promise<number> {
    this.stopped ??= (async () => {
      for (const untap of this.untaps) untap();
      await this.recorder.stop();
      try {
        return statSync(this.file).size;
      } catch {
        return 0;
      }
    })();
    return this.stopped;
  }
}

/** A track the writer can take: bound (its codec known) and VP8 or Opus. */
function recordable(track: PublishedTrack): boolean {
  const mime = track.mimeType.toLowerCase();
  return mime === 'video/vp8' || mime === 'audio/opus';
}
