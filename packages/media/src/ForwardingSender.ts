import { createCipheriv } from 'node:crypto';
import { RtpHeader, RtpPacket, type RTCRtpSender } from 'werift';
import { RedPacker } from './RedPacker.ts';
import { RepeatQueue } from './RepeatQueue.ts';

/**
 * The last step of the forwarding path: puts one forwarded packet on a subscriber's werift
 * sender and encrypts and sends it at once.
 *
 * werift's own `sendRtp` costs, per packet and per subscriber: a copy of the packet, header
 * extensions rebuilt through closures and arrays, the NTP time formatted as a string and
 * parsed back, four nested async calls (four promises), and a DNS lookup of the address. A
 * node forwarding one publisher to many subscribers pays that N times for every packet, so
 * this class does the same work the way the house rule asks: the header and packet objects
 * of the last RTP_HISTORY_SIZE packets are allocated once and reused as the retransmission
 * history werift answers NACKs from, the extension payloads are written in place, and the
 * encrypted datagram goes straight to the socket of the nominated ICE pair. With AES-GCM (what
 * browsers and libdatachannel negotiate) the header is written once, into the datagram, and
 * only the cipher itself is made per packet, which Node's API requires of an AEAD.
 *
 * It writes the sender's counters (sequence, timestamp, packet and octet counts, the clock
 * pair for sender reports, the transport-wide sequence and the send record the
 * bandwidth estimator reads) exactly where werift keeps them, so RTCP, NACK/RTX, stats and
 * transport-wide feedback go on working. Anything it does not handle (RED, a sender without a
 * negotiated codec or transport yet) returns false and the caller uses werift's path. Audio
 * to a subscriber that negotiated RED goes out RED-encoded (RedPacker).
 */

/** werift's history size for NACK answers (rtpSender.ts RTP_HISTORY_SIZE) */
const RTP_HISTORY_SIZE = 128;
const URI_MID = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const URI_TWCC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const URI_ABS_SEND_TIME = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
/** milliseconds between 1900-01-01 (NTP epoch) and 1970-01-01 */
const NTP_EPOCH_OFFSET_MS = 2_208_988_800_000;
/** send records kept for the transport-wide estimator; feedback comes within a second */
const SENT_RECORDS = 2048;
const NO_CSRC: number[] = [];
/** how often the sender-report clock pair is refreshed */
const REPORT_CLOCK_MS = 50;
/** the most first bytes a subscriber may have of its own (a VP8 descriptor up to TL0PICIDX) */
const MAX_HEAD = 8;
/** read once: Node's getter calls into C++ each time */
const TIME_ORIGIN = performance.timeOrigin;

interface Extension {
  id: number;
  payload: Buffer;
}

interface SentInfo {
  wideSeq: number;
  size: number;
  sendingAtMs: number;
  sentAtMs: number;
}

/** The parts of werift's sender, DTLS and ICE objects this class reads and writes. */
interface SenderInternals {
  stopped: boolean;
  ssrc: number;
  mid?: string;
  codec?: { payloadType: number };
  redRedundantPayloadType?: number;
  headerExtensions: { id: number; uri: string }[];
  sequenceNumber?: number;
  timestamp?: number;
  rtpTimestamp?: number;
  ntpTimestamp?: bigint;
  octetCount: number;
  packetCount: number;
  headerBytesSent: number;
  rtpCache: RtpPacket[];
  /** undefined when the subscriber negotiated no RTX */
  rtxPayloadType?: number;
  rtxSsrc: number;
  rtxSequenceNumber: number;
  rtcpRunning: boolean;
  runRtcp(): Promise<void>;
  senderBWE: { sentInfos: Record<number, SentInfo> };
  dtlsTransport?: DtlsInternals;
}

interface DtlsInternals {
  state: string;
  transportSequenceNumber: number;
  bytesSent: number;
  packetsSent: number;
  srtp?: SrtpInternals;
  iceTransport: { connection: IceInternals };
}

interface SrtpInternals {
  encrypt(payload: Buffer, header: RtpHeader): Buffer;
  localContext: {
    cipher: { aeadAuthTagLen?: number; srtpSessionKey: Buffer; srtpSessionSalt: Buffer };
    getSrtpSsrcState(ssrc: number): { rolloverCounter: number };
    updateRolloverCount(sequenceNumber: number, state: { rolloverCounter: number }): void;
  };
}

interface IceInternals {
  canSendApplicationData(): boolean;
  nominated?: {
    remoteAddr: readonly [string, number];
    packetsSent: number;
    bytesSent: number;
    protocol: {
      transport: { closed?: boolean; socket: { send(msg: Buffer, port: number, address: string): void } };
    };
  };
}

/** The extension buffers a header gets rewritten for each packet it goes out with. */
interface Stamps {
  twcc?: Buffer;
  absSendTime?: Buffer;
}

/** One history slot: the packet werift may retransmit, with its own extension buffers. */
interface Slot extends Stamps {
  packet: RtpPacket;
  /** the payload as it came (shared by every subscriber) */
  source: Buffer;
  /** this subscriber's own first bytes of it (Vp8Munger), `headLength` of them; 0: none */
  head: Buffer;
  headLength: number;
  /** bytes of the serialized header; undefined when its extensions need werift's writer */
  headerSize?: number;
}

export class ForwardingSender {
  private readonly sender: SenderInternals;
  private slots: Slot[] = [];
  /** the negotiated extension list the slots were built for */
  private builtFor?: SenderInternals['headerExtensions'];
  private builtForMid?: string;
  private sentRing: SentInfo[] = [];
  /** the header of padding packets (RTX copies), with its own extension buffers */
  private padding?: Stamps & { header: RtpHeader; size: number | undefined };
  private readonly originalSeq = Buffer.alloc(2);
  /** bytes sent as padding to probe the link */
  paddingBytesSent = 0;
  /** when the NTP/RTP time pair for sender reports was last taken */
  private reportClockAt = -Infinity;
  private readonly iv = Buffer.alloc(12);
  /** redundant audio, when the subscriber negotiated RED */
  readonly red = new RedPacker();
  /** proactive copies of chosen packets on a lossy link */
  readonly repeats = new RepeatQueue((datagram) => this.resend(datagram));

  constructor(sender: RTCRtpSender) {
    this.sender = sender as unknown as SenderInternals;
  }

  /** Whether `send` can take a packet now (a transport and codec are up); false means werift's path. */
  get ready(): boolean {
    const s = this.sender;
    const dtls = s.dtlsTransport;
    return (
      !s.stopped &&
      !!s.codec &&
      !!dtls &&
      dtls.state === 'connected' &&
      !!dtls.srtp &&
      !!dtls.iceTransport.connection.nominated
    );
  }

  /** Padding can be sent: the subscriber negotiated RTX, and transport-wide feedback to judge it by. */
  get canPad(): boolean {
    const s = this.sender;
    return s.rtxPayloadType !== undefined && s.headerExtensions.some((e) => e.uri === URI_TWCC);
  }

  /**
   * Send `source`'s payload with this subscriber's sequence number and timestamp. False when
   * this path cannot send it (the caller then uses werift's).
   */
  send(
    source: RtpPacket,
    sequenceNumber: number,
    timestamp: number,
    nowMs: number,
    copies = 0,
    /** first bytes to send in place of the payload's own (this subscriber's VP8 numbering) */
    head?: Buffer,
  ): boolean {
    const s = this.sender;
    const dtls = s.dtlsTransport;
    const codec = s.codec;
    if (s.stopped || !codec || !dtls || dtls.state !== 'connected' || !dtls.srtp) return false;
    const ice = dtls.iceTransport.connection;
    const pair = ice.nominated;
    if (!pair || !ice.canSendApplicationData() || pair.protocol.transport.closed) return false;
    if (this.builtFor !== s.headerExtensions || this.builtForMid !== s.mid) this.build();

    const slot = this.slots[sequenceNumber % RTP_HISTORY_SIZE]!;
    const packet = slot.packet;
    const header = packet.header;
    const from = source.header;
    header.payloadType = codec.payloadType;
    header.marker = from.marker;
    // werift's payload excludes the padding and its cipher sends no padding bytes, so a
    // padding flag would make the receiver cut real payload
    header.padding = false;
    header.paddingSize = 0;
    header.sequenceNumber = sequenceNumber;
    header.timestamp = timestamp;
    header.ssrc = s.ssrc;
    const primary = s.redRedundantPayloadType;
    const payload =
      primary === undefined ? source.payload : this.red.pack(source.payload, timestamp, primary);
    slot.source = payload;
    slot.headLength = 0;
    if (head && primary === undefined && head.length <= slot.head.length && head.length <= payload.length) {
      head.copy(slot.head);
      slot.headLength = head.length;
    }
    const wallMs = TIME_ORIGIN + nowMs;
    stamp(slot, dtls, wallMs);

    const datagram = this.encrypt(dtls.srtp, header, slot);
    transmit(pair, dtls, datagram);
    if (copies > 0) this.repeats.add(datagram, copies, nowMs);

    s.sequenceNumber = sequenceNumber;
    s.timestamp = timestamp;
    // A sender report needs one RTP timestamp and the wall-clock time it was sent at; werift
    // formats the NTP time for every packet. Any recent pair will do, so take one per 50 ms.
    if (wallMs - this.reportClockAt >= REPORT_CLOCK_MS) {
      this.reportClockAt = wallMs;
      s.rtpTimestamp = timestamp;
      s.ntpTimestamp = toNtp(wallMs);
    }
    s.octetCount += payload.length;
    s.headerBytesSent += datagram.length - payload.length;
    s.packetCount = (s.packetCount + 1) % 0x100000000;
    s.rtpCache[sequenceNumber % RTP_HISTORY_SIZE] = packet;
    if (slot.twcc) this.recordSent(dtls.transportSequenceNumber, datagram.length, wallMs);
    if (!s.rtcpRunning) void s.runRtcp();
    return true;
  }

  /** A copy of a datagram already sent, on the pair in use now. */
  private resend(datagram: Buffer): void {
    const dtls = this.sender.dtlsTransport;
    const pair = dtls?.iceTransport.connection.nominated;
    if (this.sender.stopped || !dtls || dtls.state !== 'connected' || !pair || pair.protocol.transport.closed)
      return;
    transmit(pair, dtls, datagram);
  }

  close(): void {
    this.repeats.clear();
  }

  /**
   * SRTP with AEAD_AES_128_GCM (RFC 7714): the header, written straight into the datagram, is
   * the additional authenticated data. Other profiles go through werift's session.
   */
  private encrypt(srtp: SrtpInternals, header: RtpHeader, slot: Slot): Buffer {
    if (srtp.localContext.cipher.aeadAuthTagLen !== 16 || slot.headerSize === undefined)
      return srtp.encrypt(slot.packet.payload, header);
    const payload = slot.source;
    const headLength = slot.headLength;
    // GCM is a stream: this subscriber's first bytes, then the rest of the shared payload
    return headLength > 0
      ? this.seal(
          srtp,
          header,
          slot.headerSize,
          slot.head.subarray(0, headLength),
          payload.subarray(headLength),
        )
      : this.seal(srtp, header, slot.headerSize, undefined, payload);
  }

  /** One AES-GCM datagram of `header` and a payload given in two parts (the first optional). */
  private seal(
    srtp: SrtpInternals,
    header: RtpHeader,
    headerSize: number,
    first: Buffer | undefined,
    rest: Buffer,
  ): Buffer {
    const context = srtp.localContext;
    const cipher = context.cipher;
    const state = context.getSrtpSsrcState(header.ssrc);
    context.updateRolloverCount(header.sequenceNumber, state);
    const payloadLength = (first?.length ?? 0) + rest.length;
    const datagram = Buffer.allocUnsafe(headerSize + payloadLength + 16);
    writeHeader(datagram, header, headerSize);
    const iv = this.iv;
    iv.writeUInt16BE(0, 0);
    iv.writeUInt32BE(header.ssrc, 2);
    iv.writeUInt32BE(state.rolloverCounter, 6);
    iv.writeUInt16BE(header.sequenceNumber, 10);
    const salt = cipher.srtpSessionSalt;
    for (let i = 0; i < 12; i++) iv[i]! ^= salt[i]!;
    const gcm = createCipheriv('aes-128-gcm', cipher.srtpSessionKey, iv);
    gcm.setAAD(datagram.subarray(0, headerSize));
    let at = headerSize;
    if (first) at += gcm.update(first).copy(datagram, at);
    gcm.update(rest).copy(datagram, at);
    gcm.final();
    gcm.getAuthTag().copy(datagram, headerSize + payloadLength);
    return datagram;
  }

  /**
   * About `bytes` of padding: RTX copies (RFC 4588) of the packets sent last, which the receiver
   * already has and drops, as libwebrtc pads its own probes. They carry transport-wide sequence
   * numbers, so the feedback shows how fast the link took them. Returns the bytes sent; 0 when
   * the subscriber has no RTX or nothing can be sent now.
   */
  sendPadding(bytes: number, nowMs: number): number {
    const s = this.sender;
    const dtls = s.dtlsTransport;
    const rtxType = s.rtxPayloadType;
    if (rtxType === undefined || s.stopped || !dtls || dtls.state !== 'connected' || !dtls.srtp) return 0;
    const pair = dtls.iceTransport.connection.nominated;
    if (!pair || pair.protocol.transport.closed || s.sequenceNumber === undefined) return 0;
    if (this.builtFor !== s.headerExtensions || this.builtForMid !== s.mid) this.build();
    const padding = this.padding!;
    const header = padding.header;
    const wallMs = TIME_ORIGIN + nowMs;
    // the packets still in the history among the last 16 sent, newest first; round again
    // while more is wanted: a copy is as good as another
    const recent: Slot[] = [];
    for (let back = 0; back < 16; back++) {
      const seq = (s.sequenceNumber - back + 0x10000) & 0xffff;
      const slot = this.slots[seq % RTP_HISTORY_SIZE]!;
      if (slot.packet.header.sequenceNumber === seq && slot.source.length > 0) recent.push(slot);
    }
    let sent = 0;
    for (let i = 0; recent.length > 0 && sent < bytes && i < RTP_HISTORY_SIZE; i++) {
      const slot = recent[i % recent.length]!;
      header.payloadType = rtxType;
      header.marker = slot.packet.header.marker;
      header.sequenceNumber = s.rtxSequenceNumber;
      s.rtxSequenceNumber = (s.rtxSequenceNumber + 1) & 0xffff;
      header.timestamp = slot.packet.header.timestamp;
      header.ssrc = s.rtxSsrc;
      this.originalSeq.writeUInt16BE(slot.packet.header.sequenceNumber, 0);
      stamp(padding, dtls, wallMs);
      const payload = slot.packet.payload; // this subscriber's bytes of it
      const datagram =
        dtls.srtp.localContext.cipher.aeadAuthTagLen === 16 && padding.size !== undefined
          ? this.seal(dtls.srtp, header, padding.size, this.originalSeq, payload)
          : dtls.srtp.encrypt(Buffer.concat([this.originalSeq, payload]), header);
      transmit(pair, dtls, datagram);
      if (padding.twcc) this.recordSent(dtls.transportSequenceNumber, datagram.length, wallMs);
      sent += datagram.length;
    }
    this.paddingBytesSent += sent;
    return sent;
  }

  /** What werift's estimator keeps per packet, in reused records, the oldest forgotten. */
  private recordSent(wideSeq: number, size: number, wallMs: number): void {
    const infos = this.sender.senderBWE.sentInfos;
    const index = wideSeq % SENT_RECORDS;
    let info = this.sentRing[index];
    if (info) {
      if (infos[info.wideSeq] === info) delete infos[info.wideSeq];
    } else {
      info = this.sentRing[index] = { wideSeq, size, sendingAtMs: 0, sentAtMs: 0 };
    }
    const ms = Math.floor(wallMs);
    info.wideSeq = wideSeq;
    info.size = size;
    info.sendingAtMs = ms;
    info.sentAtMs = ms;
    infos[wideSeq] = info;
  }

  /** Allocate the history slots for the extensions this connection negotiated, in id order. */
  private build(): void {
    const s = this.sender;
    const negotiated = [...s.headerExtensions].sort((a, b) => a.id - b.id);
    const mid = s.mid ? Buffer.from(s.mid) : undefined;
    this.slots = Array.from({ length: RTP_HISTORY_SIZE }, () => {
      const slot: Partial<Slot> = {};
      const extensions = writableExtensions(negotiated, mid, slot);
      slot.packet = new RtpPacket(new RtpHeader({ csrc: NO_CSRC, extensions }), Buffer.alloc(0));
      slot.source = slot.packet.payload;
      slot.head = Buffer.alloc(MAX_HEAD);
      slot.headLength = 0;
      // werift reads the payload to answer a NACK: the bytes as this subscriber got them, put
      // together only then (a rare read), never on the forwarding path
      const full = slot as Slot;
      Object.defineProperty(slot.packet, 'payload', {
        get: () =>
          full.headLength > 0
            ? Buffer.concat([full.head.subarray(0, full.headLength), full.source.subarray(full.headLength)])
            : full.source,
        set: (value: Buffer) => {
          full.source = value;
          full.headLength = 0;
        },
      });
      slot.headerSize = oneByteHeaderSize(extensions);
      return full;
    });
    const stamps: Stamps = {};
    const extensions = writableExtensions(negotiated, mid, stamps);
    this.padding = {
      ...stamps,
      header: new RtpHeader({ csrc: NO_CSRC, extensions }),
      size: oneByteHeaderSize(extensions),
    };
    this.builtFor = s.headerExtensions;
    this.builtForMid = s.mid;
  }
}

/**
 * The extensions this path writes, in the negotiated order; the per-packet ones (transport-wide
 * sequence, send time) get buffers of their own in `into`, rewritten in place for each packet.
 */
function writableExtensions(
  negotiated: SenderInternals['headerExtensions'],
  mid: Buffer | undefined,
  into: Stamps,
): Extension[] {
  const extensions: Extension[] = [];
  for (const e of negotiated) {
    if (e.uri === URI_MID && mid) extensions.push({ id: e.id, payload: mid });
    else if (e.uri === URI_TWCC) extensions.push({ id: e.id, payload: (into.twcc = Buffer.alloc(2)) });
    else if (e.uri === URI_ABS_SEND_TIME)
      extensions.push({ id: e.id, payload: (into.absSendTime = Buffer.alloc(3)) });
  }
  return extensions;
}

/** Give the next transport-wide sequence number and the send time to a header's own buffers. */
function stamp(stamps: Stamps, dtls: DtlsInternals, wallMs: number): void {
  if (stamps.twcc) {
    dtls.transportSequenceNumber = (dtls.transportSequenceNumber + 1) & 0xffff;
    stamps.twcc.writeUInt16BE(dtls.transportSequenceNumber, 0);
  }
  // 6.18 fixed-point seconds, 24 bits
  stamps.absSendTime?.writeUIntBE(Math.floor(((wallMs + NTP_EPOCH_OFFSET_MS) * 262.144) % 0x1000000), 0, 3);
}

/** A datagram onto the selected pair's socket, counted where werift's stats read it. */
function transmit(pair: NonNullable<IceInternals['nominated']>, dtls: DtlsInternals, datagram: Buffer): void {
  pair.protocol.transport.socket.send(datagram, pair.remoteAddr[1], pair.remoteAddr[0]);
  pair.packetsSent++;
  pair.bytesSent += datagram.length;
  dtls.bytesSent += datagram.length;
  dtls.packetsSent++;
}

/** RTP header size with RFC 8285 one-byte extensions; undefined when they do not fit that form. */
function oneByteHeaderSize(extensions: Extension[]): number | undefined {
  if (extensions.length === 0) return 12;
  let size = 0;
  for (const e of extensions) {
    if (e.id < 1 || e.id > 14 || e.payload.length < 1 || e.payload.length > 16) return undefined;
    size += 1 + e.payload.length;
  }
  return 12 + 4 + Math.ceil(size / 4) * 4;
}

function writeHeader(out: Buffer, header: RtpHeader, size: number): void {
  const extensions = header.extensions as Extension[];
  out[0] = 0x80 | (extensions.length ? 0x10 : 0);
  out[1] = (header.marker ? 0x80 : 0) | header.payloadType;
  out.writeUInt16BE(header.sequenceNumber, 2);
  out.writeUInt32BE(header.timestamp, 4);
  out.writeUInt32BE(header.ssrc, 8);
  if (!extensions.length) return;
  out[12] = 0xbe;
  out[13] = 0xde;
  out.writeUInt16BE((size - 16) / 4, 14);
  let o = 16;
  for (const e of extensions) {
    out[o++] = (e.id << 4) | (e.payload.length - 1);
    e.payload.copy(out, o);
    o += e.payload.length;
  }
  out.fill(0, o, size);
}

function toNtp(unixMs: number): bigint {
  const ms = unixMs + NTP_EPOCH_OFFSET_MS;
  const seconds = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms - seconds * 1000) / 1000) * 0x100000000);
  return (BigInt(seconds) << 32n) | BigInt(fraction);
}
