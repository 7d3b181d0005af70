import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DtlsServer, type RTCDtlsTransport, type RTCPeerConnection } from 'werift';
import { measureRoundTrip, type Address } from './IceLitePath.ts';

/**
 * The node's DTLS handshake, one round trip shorter and quicker to repair on lossy links.
 *
 * werift's DTLS server answers the first ClientHello with a HelloVerifyRequest and waits for
 * the ClientHello to come back with the cookie. The cookie proves the client owns its address;
 * in WebRTC the ICE checks (signed with the short-term credentials) have proven that already,
 * and datagrams from unchecked addresses never reach DTLS (PeerTransport's guard). RFC 6347
 * 4.2.1 lets a server skip the exchange, as OpenSSL in Janus and Pion do: here the node answers
 * a cookie-less ClientHello at once with ServerHello … ServerHelloDone, saving a round trip.
 *
 * Without the HelloVerifyRequest the client's first ClientHello is the start of the handshake:
 * it enters the transcript (the Finished and extended-master-secret hashes) and the server's
 * messages are numbered from message_seq 0, not 1 — otherwise the client waits for a message 0
 * that never comes, or its Finished does not verify.
 *
 * Around it: a ClientHello that comes before ICE nomination is kept, not dropped (keepEarlyRecords);
 * werift repeats a lost flight 4 after 500 ms, then 1 s, 1.5 s …, the node just after the round
 * trip it has just seen (first accepted check to first ClientHello), doubling; and each of the
 * node's flights goes out in one datagram, twice (sendFlightsWhole).
 *
 * werift's dependency-free ESM bundle hides its flight classes; the same classes ship as CommonJS
 * files in the package, and they work on the ESM objects (plain state and buffers). They are
 * loaded once from the installed werift; any other werift version leaves werift's own handshake.
 */

/** what `LIVEPORT_FAST_JOIN=off` (for A/B measurements) turns back to werift's behaviour */
export function fastJoinEnabled(): boolean {
  return process.env.LIVEPORT_FAST_JOIN !== 'off';
}

const SUPPORTED_WERIFT = '0.25.2';
const CLIENT_HELLO = 1;
const HELLO_VERIFY_REQUEST = 3;
/** werift waits 500 ms before its first repeat; kept when the round trip is unknown */
const DEFAULT_TIMEOUT_MS = 500;
const MIN_TIMEOUT_MS = 100;
const MAX_FIRST_TIMEOUT_MS = 1000;
const MAX_TIMEOUT_MS = 3000;
/** werift gives up after about 27 s of repeats; so does the node (the client usually sooner) */
const GIVE_UP_MS = 30_000;

/**
 * Waits between repeats of the node's flight: just over the round trip (1.1 x + 20 ms, at least
 * 100 ms, at most 1 s; 500 ms when unknown), doubling to at most 3 s. The client's answer is due
 * one round trip after the flight left; later than that it was lost (or the flight was), and the
 * client's own timer would wait two round trips before it sends its flight again.
 */
export function retransmitTimeouts(rttMs: number | undefined): () => number {
  let next =
    rttMs === undefined || !Number.isFinite(rttMs) || rttMs < 0
      ? DEFAULT_TIMEOUT_MS
      : Math.min(MAX_FIRST_TIMEOUT_MS, Math.max(MIN_TIMEOUT_MS, Math.round(1.1 * rttMs + 20)));
  return () => {
    const now = next;
    next = Math.min(MAX_TIMEOUT_MS, next * 2);
    return now;
  };
}

/** what the node learns of a connection while ICE runs, for its DTLS server */
export interface FastHandshake {
  /**
   * A connectivity check from the client passed on `protocol` (a socket of the connection's ICE
   * agent) from `addr`: the client's ClientHello follows one round trip after the answer.
   */
  checkAccepted(protocol: object, addr: Address): void;
}

/** What one connection's handshake has seen so far. */
class HandshakeTimes {
  firstCheckAt?: number;
  /** the first ClientHello (record sequence 0, not a repeat) came */
  firstHelloAt?: number;
  /** a whole ClientHello came (all its fragments) */
  helloSeen = false;
  /** the node's own measurement (measureRoundTrip) */
  probedRttMs?: number;
  /** the HelloVerifyRequest the node sent when the client's hello was late (see askForHello) */
  verify?: { cookie: Buffer; record: Buffer };

  /** the round trip: measured, or else from the first check to the first hello */
  get rttMs(): number | undefined {
    if (this.probedRttMs !== undefined) return this.probedRttMs;
    if (this.firstHelloAt === undefined || this.firstCheckAt === undefined) return undefined;
    return this.firstHelloAt - this.firstCheckAt;
  }

  /** a datagram from the client: the first of its ClientHello gives the round trip */
  sawRecord(data: Buffer): void {
    if (isClientHelloRecord(data) && isFirstRecord(data)) this.firstHelloAt ??= performance.now();
  }
}

/** The connection's DTLS server (the node's role) answers cookie-less ClientHellos directly. */
export function fastDtlsHandshake(pc: RTCPeerConnection): FastHandshake {
  if (!internals || !fastJoinEnabled()) return { checkAccepted: () => undefined };
  const times = new HandshakeTimes();
  return {
    checkAccepted(protocol, addr) {
      if (times.firstCheckAt !== undefined) return;
      times.firstCheckAt = performance.now();
      for (const transport of pc.dtlsTransports) keepEarlyRecords(transport, times, internals);
      const agent = pc.iceTransports[0]?.connection;
      // where the node is the DTLS client (it answered an offer: publishers) werift's client
      // sends the first flight, and the client's hello is nothing to wait for
      if (!agent || !nodeIsDtlsServer(pc)) return;
      // after the answer to this check has gone: the client's own checks come first
      setImmediate(() => {
        void measureRoundTrip(agent, protocol, addr).then((rtt) => {
          if (rtt === undefined) return;
          times.probedRttMs = rtt;
          askForHelloIfLate(protocol as RawSocket, addr, times, () => agent.state === 'closed');
        });
      });
    },
  };
}

/** The client answered with `a=setup:active`: it sends the ClientHello, the node answers it. */
function nodeIsDtlsServer(pc: RTCPeerConnection): boolean {
  const dtls = pc.dtlsTransports[0] as unknown as
    { role: string; remoteParameters?: { role: string } } | undefined;
  return dtls?.role === 'server' || dtls?.remoteParameters?.role === 'client';
}

/** werift's UDP socket of an ICE agent, for a datagram sent before any pair is selected */
interface RawSocket {
  sendData(data: Buffer, addr: Address): Promise<void>;
}

/**
 * The client's first ClientHello is lost as often as any packet (5 % of joins on a link losing
 * 5 %), and the client sends it again only on its own timer, two round trips later. The node
 * knows when it is due: a round trip after the client's first check was answered. Once it is
 * clearly late, the node sends a HelloVerifyRequest (RFC 6347 4.2.1), which a client waiting
 * for its ServerHello answers at once with its hello again, now with the cookie; the handshake
 * then goes the standard way, numbered after the request. Costs 1.35 round trips instead of 2.
 */
function askForHelloIfLate(
  socket: RawSocket,
  addr: Address,
  times: HandshakeTimes,
  closed: () => boolean,
): void {
  const rtt = times.probedRttMs!;
  const due = times.firstCheckAt! + HELLO_LATE_RTTS * rtt + HELLO_LATE_MARGIN_MS;
  const timer = setTimeout(
    () => {
      if (times.helloSeen || times.verify || closed()) return;
      const cookie = randomBytes(COOKIE_BYTES);
      const record = helloVerifyRequest(cookie);
      times.verify = { cookie, record };
      const send = () => void socket.sendData(record, addr).catch(() => undefined);
      send();
      setTimeout(send, COPY_AFTER_MS).unref();
    },
    Math.max(0, due - performance.now()),
  );
  timer.unref();
}
/** a hello later than this many round trips after the first answered check is lost, not late */
const HELLO_LATE_RTTS = 1.35;
const HELLO_LATE_MARGIN_MS = 40;
const COOKIE_BYTES = 20;

/** A HelloVerifyRequest record (DTLS 1.2, message_seq 0, record sequence 0) with `cookie`. */
function helloVerifyRequest(cookie: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from([0xfe, 0xfd, cookie.length]), cookie]);
  const message = Buffer.alloc(12 + body.length);
  message[0] = HELLO_VERIFY_REQUEST;
  message.writeUIntBE(body.length, 1, 3); // length
  message.writeUInt16BE(0, 4); // message_seq
  message.writeUIntBE(0, 6, 3); // fragment_offset
  message.writeUIntBE(body.length, 9, 3); // fragment_length
  body.copy(message, 12);
  const record = Buffer.alloc(13);
  record[0] = 22; // handshake
  record[1] = 0xfe;
  record[2] = 0xfd;
  // epoch 0 and sequence number 0 (bytes 3..10) are the zeros of alloc
  record.writeUInt16BE(message.length, 11);
  return Buffer.concat([record, message]);
}

const EARLY_RECORDS = 8;

/**
 * The client starts DTLS once one of its checks is answered, and werift starts its DTLS server
 * only once a pair is selected (IceLitePath selects it on that very record, or a nomination
 * does): what comes before is kept and handed over, not dropped, which would leave the client
 * to repeat its hello on its own timer.
 */
function keepEarlyRecords(transport: RTCDtlsTransport, times: HandshakeTimes, internals: Internals): void {
  const early: Buffer[] = [];
  const connection = transport.iceTransport.connection;
  const watch = connection.onData.subscribe((data: Buffer) => {
    if (!isDtlsRecord(data)) return;
    times.sawRecord(data);
    if (early.length < EARLY_RECORDS) early.push(data);
  });
  const start = transport.start;
  // werift calls start() once ICE has a pair; its DTLS server exists from the synchronous part
  // of start() on
  transport.start = function (this: RTCDtlsTransport) {
    transport.start = start;
    watch.unSubscribe();
    const done = start.call(this);
    const server = this.dtls;
    if (server instanceof DtlsServer) {
      answerHellosDirectly(server, times, internals);
      for (const data of early) server.transport.socket.onData(data, ['', 0]);
    }
    early.length = 0;
    return done;
  };
}

type Handshake = Parameters<DtlsServer['onHandleHandshakes']>[0][number];

function answerHellosDirectly(server: DtlsServer, times: HandshakeTimes, internals: Internals): void {
  const socket = server.transport.socket;
  const receive = socket.onData;
  socket.onData = (data, addr) => {
    times.sawRecord(data);
    receive(data, addr);
  };
  sendFlightsWhole(server);
  reassembleByMessage(server);

  let answered: Buffer | undefined;
  const handle = server.onHandleHandshakes;
  server.onHandleHandshakes = async (assembled) => {
    const rest = assembled.filter((h) => !(h.msg_type === CLIENT_HELLO && answer(h)));
    if (rest.length > 0) await handle(rest);
  };

  /** true when the hello is taken care of here; false leaves it to werift */
  function answer(handshake: Handshake): boolean {
    const hello = internals.ClientHello.deSerialize(handshake.fragment);
    times.helloSeen = true;
    const verify = times.verify;
    // a cookie is werift's business, unless it is the one the node asked for
    if (hello.cookie.length > 0 && !(verify && hello.cookie.equals(verify.cookie))) return false;
    const repeat = answered !== undefined && answered.equals(handshake.fragment);
    // A new hello on an open session is a renegotiation: werift's business. A late copy of the
    // hello this session began with must not reset it.
    if (server.connected) return repeat;
    const dtls = server.dtls;
    if (dtls.flight >= 4) {
      // The client repeats its hello when our flight did not (all) arrive: send it again now.
      // Anything else in the middle of a handshake is ignored (werift would answer with a
      // HelloVerifyRequest and tangle the handshake it is in).
      if (dtls.flight === 4 && repeat)
        void Promise.all(dtls.lastMessage.map((m) => server.transport.send(m)));
      return true;
    }
    if (verify && hello.cookie.length === 0) {
      // The node asked for a cookie: the late first hello, or a repeat of it because the request
      // was lost. The same request again (a client already past it ignores the copy).
      void server.transport.send(verify.record);
      return true;
    }
    answered = handshake.fragment;
    // werift's flight 2 chooses curve, cipher suite and SRTP profile and makes the key pair; the
    // HelloVerifyRequest it would send goes nowhere (after the node's own it numbers the
    // node's next message 1, as werift's own handshake does).
    internals.flight2(discard, dtls, server.cipher, server.srtp)(hello);
    const flight = new internals.DirectFlight4(server.transport, dtls, server.cipher, server.srtp);
    flight.timeouts = retransmitTimeouts(times.rttMs);
    flight.stillWanted = () => server.dtls === dtls && !server.transport.socket.closed;
    flight.afterVerify = verify !== undefined;
    flight
      .exec(handshake, server.options.certificateRequest)
      .catch((err: Error) => server.onError.execute(err));
    return true;
  }
}

interface Fragment {
  msg_type: number;
  length: number;
  message_seq: number;
  fragment_offset: number;
  fragment_length: number;
}
/** fragments held for messages not yet whole: a garbage flood cannot grow it */
const MAX_HELD_FRAGMENTS = 32;

/**
 * Browsers' ClientHello no longer fits one datagram (Chromium's carries a post-quantum key
 * share), so it comes in fragments. werift joins whatever fragments it holds once the last one
 * of a message is there, whichever message they belong to: a fragment of a hello that was
 * repeated with a cookie, or a stray one, spoils the message it is mixed into. Here a message is
 * handed on only when its own fragments (same type, sequence and length) cover it whole.
 */
export function reassembleByMessage(server: object): void {
  const held = new Map<string, Fragment[]>();
  let count = 0;
  const socket = server as unknown as { handleFragmentHandshake(messages: Fragment[]): Fragment[] };
  socket.handleFragmentHandshake = (messages) => {
    const whole: Fragment[] = [];
    for (const m of messages) {
      if (m.fragment_offset === 0 && m.fragment_length === m.length) {
        whole.push(m);
        continue;
      }
      const key = `${m.msg_type}/${m.message_seq}/${m.length}`;
      let parts = held.get(key);
      if (!parts) {
        if (count >= MAX_HELD_FRAGMENTS) {
          held.clear();
          count = 0;
        }
        held.set(key, (parts = []));
      }
      parts.push(m);
      count++;
      if (covers(parts, m.length)) {
        whole.push(...parts);
        held.delete(key);
        count -= parts.length;
      }
    }
    return whole;
  };
}

/** the fragments leave no gap from 0 to `length` */
function covers(parts: Fragment[], length: number): boolean {
  let end = 0;
  for (const p of [...parts].sort((a, b) => a.fragment_offset - b.fragment_offset)) {
    if (p.fragment_offset > end) return false;
    end = Math.max(end, p.fragment_offset + p.fragment_length);
  }
  return end >= length;
}

/** below any path's MTU once IP, UDP and a TURN header are added */
const MAX_DATAGRAM = 1200;
/** the second copy of a flight follows the first this much later, out of a short loss burst */
const COPY_AFTER_MS = 20;

/**
 * How the node's handshake flights travel. werift sends each record in a datagram of its own:
 * flight 4 is five datagrams, and at 5 % loss one of them is lost a quarter of the time. Here the
 * records sent in one tick go out together, in as few datagrams as fit, so a flight arrives whole
 * or not at all; and each flight is sent twice. A lost flight costs a retransmission timeout
 * (the client's for the last flight: 400 ms or more, doubling), a copy costs ~1 KB once per
 * connection; the client drops whichever copy comes second (same records, same sequence numbers).
 * Application data (SCTP) goes out as werift sends it.
 */
function sendFlightsWhole(server: DtlsServer): void {
  const transport = server.transport as { send: DtlsServer['transport']['send'] };
  const send = transport.send;
  let batch: Buffer[] | undefined;
  let sent: Promise<void> = Promise.resolve();
  transport.send = (record, addr) => {
    if (!isHandshakeRecord(record) || addr !== undefined) return send(record, addr);
    if (!batch) {
      const records: Buffer[] = (batch = []);
      sent = Promise.resolve().then(() => {
        batch = undefined;
        const datagrams = pack(records);
        setTimeout(() => {
          if (!server.transport.socket.closed) for (const d of datagrams) void send(d).catch(() => undefined);
        }, COPY_AFTER_MS).unref();
        return Promise.all(datagrams.map((d) => send(d))).then(() => undefined);
      });
    }
    batch.push(record);
    return sent;
  };
}

/** records into datagrams of at most MAX_DATAGRAM bytes (a larger record goes alone) */
function pack(records: Buffer[]): Buffer[] {
  const datagrams: Buffer[][] = [];
  let size = MAX_DATAGRAM;
  for (const record of records) {
    if (size + record.length > MAX_DATAGRAM) {
      datagrams.push([]);
      size = 0;
    }
    datagrams[datagrams.length - 1]!.push(record);
    size += record.length;
  }
  return datagrams.map((d) => (d.length === 1 ? d[0]! : Buffer.concat(d)));
}

const discard = { send: async () => undefined };

/** a record of the handshake: ChangeCipherSpec (20) or Handshake (22) */
function isHandshakeRecord(record: Buffer): boolean {
  return record[0] === 20 || record[0] === 22;
}

/** DTLS content types 20..63 (RFC 7983 demultiplexing) */
function isDtlsRecord(data: Buffer): boolean {
  const first = data[0];
  return first !== undefined && first >= 20 && first <= 63;
}

/** a datagram that starts with a plaintext ClientHello record */
function isClientHelloRecord(data: Buffer): boolean {
  return (
    data.length > 13 &&
    data[0] === 22 && // handshake
    data.readUInt16BE(3) === 0 && // epoch 0
    data[13] === CLIENT_HELLO
  );
}

/** record sequence number 0: the client's first record, not a repeat */
function isFirstRecord(data: Buffer): boolean {
  return data.readUIntBE(5, 6) === 0;
}

// ---- werift's CommonJS flight classes ----

interface DtlsState {
  flight: number;
  sequenceNumber: number;
  lastMessage: Buffer[];
  bufferHandshakeCache(handshakes: Handshake[], isLocal: boolean, flight: number): void;
}
interface Flight4Base {
  dtls: DtlsState;
  send(buffers: Buffer[]): Promise<unknown>;
  sendServerHello(): Buffer;
  sendCertificate(): Buffer;
  sendServerKeyExchange(): Buffer;
  sendCertificateRequest(): Buffer;
  sendServerHelloDone(): Buffer;
}
type Flight4Class = new (transport: unknown, dtls: unknown, cipher: unknown, srtp: unknown) => Flight4Base;
interface DirectFlight4 extends Flight4Base {
  timeouts: () => number;
  stillWanted: () => boolean;
  /** the hello came after the node's HelloVerifyRequest: numbered on from it */
  afterVerify: boolean;
  exec(clientHello: Handshake, certificateRequest?: boolean): Promise<void>;
}
interface Internals {
  ClientHello: { deSerialize(fragment: Buffer): { cookie: Buffer } };
  flight2: (udp: unknown, dtls: unknown, cipher: unknown, srtp: unknown) => (hello: unknown) => void;
  DirectFlight4: new (transport: unknown, dtls: unknown, cipher: unknown, srtp: unknown) => DirectFlight4;
}

/** werift's server flight 4, numbered from 0 and repeated on the node's timer */
function directFlight4(Flight4: Flight4Class): Internals['DirectFlight4'] {
  return class extends Flight4 implements DirectFlight4 {
    timeouts = retransmitTimeouts(undefined);
    stillWanted = () => true;
    afterVerify = false;

    async exec(clientHello: Handshake, certificateRequest = false): Promise<void> {
      const dtls = this.dtls;
      dtls.flight = 4;
      // our ServerHello is the first message we send in this handshake (RFC 6347 4.2.2), or
      // the one after our HelloVerifyRequest (werift's flight 2 has counted that one)
      if (!this.afterVerify) dtls.sequenceNumber = 0;
      dtls.bufferHandshakeCache([clientHello], false, 4);
      const messages = [
        this.sendServerHello(),
        this.sendCertificate(),
        this.sendServerKeyExchange(),
        ...(certificateRequest ? [this.sendCertificateRequest()] : []),
        this.sendServerHelloDone(),
      ];
      dtls.lastMessage = messages;
      let waited = 0;
      for (;;) {
        this.send(messages).catch(() => undefined);
        const timeout = this.timeouts();
        await delay(timeout, undefined, { ref: false });
        // the client's flight 5 moved us on, or the session was renegotiated or closed
        if (dtls.flight >= 6 || !this.stillWanted()) return;
        waited += timeout;
        if (waited >= GIVE_UP_MS) throw new Error(`DTLS flight 4 unanswered for ${waited} ms`);
      }
    }
  };
}

/** loaded with this module (at the node's start, ~150 ms), not at the first join */
const internals = loadWeriftInternals();
function loadWeriftInternals(): Internals | undefined {
  try {
    const require = createRequire(import.meta.url);
    const main = require.resolve('werift'); // <werift>/lib/webrtc/src/index.js
    const root = join(dirname(main), '../../..');
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    if (version !== SUPPORTED_WERIFT) {
      console.warn(
        `werift ${version}: DTLS handshake left as werift does it (checked on ${SUPPORTED_WERIFT})`,
      );
      return undefined;
    }
    const dtls = join(root, 'lib/dtls/src');
    const { Flight4 } = require(join(dtls, 'flight/server/flight4.js')) as { Flight4: Flight4Class };
    return {
      ClientHello: (
        require(join(dtls, 'handshake/message/client/hello.js')) as Pick<Internals, 'ClientHello'>
      ).ClientHello,
      flight2: (require(join(dtls, 'flight/server/flight2.js')) as Pick<Internals, 'flight2'>).flight2,
      DirectFlight4: directFlight4(Flight4),
    };
  } catch (err) {
    console.warn(`DTLS handshake left as werift does it: ${(err as Error).message}`);
    return undefined;
  }
}
