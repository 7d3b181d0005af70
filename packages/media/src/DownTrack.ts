import type { RTCRtpTransceiver, RtpPacket } from 'werift';
import { RtpMunger, seqDiff } from './RtpMunger.ts';
import type { PublishedTrack } from './PublishedTrack.ts';

const NO_EXTENSIONS: never[] = [];

/**
 * One published track as one subscriber receives it: its own sender on the subscriber's
 * connection, its own sequence/timestamp numbering, and its own wait for a keyframe so the
 * first picture it sees is decodable.
 */
export class DownTrack {
  readonly munger: RtpMunger;
  packetsSent = 0;
  /** times this subscriber was started from the keyframe cache */
  cachedStarts = 0;
  private waitingForKeyframe: boolean;
  /** last sequence number of a cached burst; live packets up to it are duplicates */
  private cacheEndSeq = -1;
  private readonly stopPli: () => void;
  private closed = false;

  constructor(
    readonly track: PublishedTrack,
    readonly transceiver: RTCRtpTransceiver,
    readonly subscriberSid: string,
  ) {
    this.munger = new RtpMunger(track.clockRate);
    this.waitingForKeyframe = track.kind === 'video';
    this.stopPli = transceiver.sender.onPictureLossIndication.subscribe(() =>
      track.requestKeyframe(),
    ).unSubscribe;
    track.addDownTrack(this);
  }

  write(rtp: RtpPacket, keyframe: boolean): void {
    if (this.closed) return;
    if (this.waitingForKeyframe) {
      // A keyframe sent before the subscriber's DTLS is up would be dropped by the sender,
      // leaving the subscriber with deltas it cannot decode: wait until it can really go out.
      if (!this.canSend()) return;
      if (!keyframe) {
        if (this.sendCachedGroup()) return;
        this.track.requestKeyframe();
        return;
      }
      this.waitingForKeyframe = false;
    } else if (this.cacheEndSeq >= 0) {
      // live packets the cached burst already carried
      if (seqDiff(rtp.header.sequenceNumber, this.cacheEndSeq) <= 0) return;
      this.cacheEndSeq = -1;
    }
    this.send(rtp);
  }

  /** Start a new subscriber from the track's cached keyframe group; false when there is none. */
  private sendCachedGroup(): boolean {
    const group = this.track.keyframeCache.group;
    if (group.length === 0) return false;
    this.waitingForKeyframe = false;
    for (const packet of group) this.send(packet);
    this.cacheEndSeq = group[group.length - 1]!.header.sequenceNumber;
    this.cachedStarts++;
    return true;
  }

  private send(rtp: RtpPacket): void {
    const header = rtp.header;
    const seq = header.sequenceNumber;
    const ts = header.timestamp;
    const extensions = header.extensions;
    if (this.munger.rewrite(header, performance.now())) {
      // Publisher's extension ids mean nothing on this connection; werift writes its own.
      header.extensions = NO_EXTENSIONS;
      // werift clones the packet synchronously before its first await, so the shared packet
      // can be restored right after the call and the next subscriber sees the original.
      this.transceiver.sender.sendRtp(rtp).catch(() => undefined);
      this.packetsSent++;
    }
    header.sequenceNumber = seq;
    header.timestamp = ts;
    header.extensions = extensions;
  }

  private canSend(): boolean {
    const sender = this.transceiver.sender;
    return sender.dtlsTransport?.state === 'connected' && !!sender.codec;
  }

  /** After a pause the stream continues as a new source, from a keyframe. */
  resume(): void {
    this.munger.switchSource();
    this.cacheEndSeq = -1;
    if (this.track.kind === 'video') this.waitingForKeyframe = true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopPli();
    this.track.removeDownTrack(this);
  }
}
