import type { TransportWideCC } from 'werift';

/**
 * Reads a transport-wide congestion control feedback message
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01, section 3.1) into one arrival per
 * reported packet.
 *
 * werift parses the message's chunks and deltas correctly, but its `packetResults` skips the
 * status-vector chunks (which a receiver uses as soon as anything is lost), numbers every
 * run-length chunk from the base sequence again, and rounds every delta down to whole
 * milliseconds before adding it up: on a lossy link its arrival times are wrong. This walks the
 * parsed chunks itself and keeps the deltas' 250 microseconds.
 */

const NOT_RECEIVED = 0;
const SMALL_DELTA = 1;
const LARGE_DELTA = 2;

export interface PacketArrival {
  /** transport-wide sequence number, 16 bits */
  wideSeq: number;
  /** receiver's clock, ms; undefined when the packet was reported lost */
  arrivalMs: number | undefined;
}

interface RunLength {
  packetStatus: number;
  runLength: number;
}
interface StatusVector {
  symbolList: number[];
}

/** Every packet the feedback covers, in sequence order. */
export function readTransportFeedback(feedback: TransportWideCC): PacketArrival[] {
  const out: PacketArrival[] = [];
  const deltas = feedback.recvDeltas;
  let remaining = feedback.packetStatusCount;
  let seq = feedback.baseSequenceNumber;
  let deltaIndex = 0;
  // reference time: a signed 24-bit count of 64 ms steps; its origin is the receiver's own
  let timeUs = feedback.referenceTime * 64_000;
  const take = (status: number) => {
    if (status === SMALL_DELTA || status === LARGE_DELTA) {
      const delta = deltas[deltaIndex++];
      timeUs += delta?.delta ?? 0;
      out.push({ wideSeq: seq, arrivalMs: timeUs / 1000 });
    } else if (status === NOT_RECEIVED) {
      out.push({ wideSeq: seq, arrivalMs: undefined });
    } // "received without a time" is reserved by the draft: neither an arrival nor a loss
    seq = (seq + 1) & 0xffff;
    remaining--;
  };
  for (const chunk of feedback.packetChunks as unknown as (RunLength | StatusVector)[]) {
    if (remaining <= 0) break;
    if ('runLength' in chunk) {
      const n = Math.min(chunk.runLength, remaining);
      for (let i = 0; i < n; i++) take(chunk.packetStatus);
    } else {
      for (const symbol of chunk.symbolList) {
        if (remaining <= 0) break;
        take(symbol);
      }
    }
  }
  return out;
}
