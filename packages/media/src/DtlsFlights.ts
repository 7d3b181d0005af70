import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * How the node's DTLS handshake flights travel: whole, twice, and repeated on a timer made from
 * the round trip rather than werift's fixed 500 ms, 1 s, 1.5 s …; and how the peer's fragmented
 * messages are put together.
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
export const CLIENT_HELLO = 1;
export const SERVER_HELLO = 2;
export const HELLO_VERIFY_REQUEST = 3;
export const SERVER_HELLO_DONE = 14;

/** werift waits 500 ms before its first repeat; kept when the round trip is unknown */
const DEFAULT_TIMEOUT_MS = 500;
const MIN_TIMEOUT_MS = 100;
const MAX_FIRST_TIMEOUT_MS = 1000;
const MAX_TIMEOUT_MS = 3000;
/** werift gives up after about 27 s of repeats; so does the node (the client usually sooner) */
const GIVE_UP_MS = 30_000;

/**
 * Waits between repeats of the node's flight: just over the round trip (1.1 x + 20 ms, at least
 * 100 ms, at most 1 s; 500 ms when unknown), doubling to at most 3 s. The peer's answer is due
 * one round trip after the flight left; later than that it was lost (or the flight was), and the
 * peer's own timer would wait two round trips before it sends its flight again.
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

/** What a flight's repeats are timed by: the connection's round trip, once it is known. */
export interface RoundTrip {
  readonly rttMs: number | undefined;
  /** settles when the node's own measurement is in (or has failed) */
  readonly measured: Promise<void>;
}

/**
 * When to send a flight again. The first wait is taken from the round trip as it is known by
 * then: a flight sent before the measurement is in (the node's ClientHello leaves with the
 * answer to the first check) waits for it, up to werift's 500 ms.
 */
export class RepeatSchedule {
  private next?: () => number;

  constructor(
    private readonly roundTrip: RoundTrip,
    readonly stillWanted: () => boolean,
  ) {}

  /** wait before the next repeat; resolves with the milliseconds waited */
  async wait(): Promise<number> {
    if (this.next) {
      const ms = this.next();
      await delay(ms, undefined, { ref: false });
      return ms;
    }
    const start = performance.now();
    if (this.roundTrip.rttMs === undefined)
      await Promise.race([this.roundTrip.measured, delay(DEFAULT_TIMEOUT_MS, undefined, { ref: false })]);
    this.next = retransmitTimeouts(this.roundTrip.rttMs);
    const first = this.next();
    const left = start + first - performance.now();
    if (left > 0) await delay(left, undefined, { ref: false });
    return performance.now() - start;
  }
}

// ---- werift's CommonJS flight classes, sent on the node's schedule ----

export type Handshake = {
  msg_type: number;
  message_seq: number;
  fragment: Buffer;
};

export interface DtlsState {
  flight: number;
  sequenceNumber: number;
  lastMessage: Buffer[];
  bufferHandshakeCache(handshakes: Handshake[], isLocal: boolean, flight: number): void;
}

interface FlightBase {
  dtls: DtlsState;
  flight: number;
  nextFlight?: number;
  send(buffers: Buffer[]): Promise<unknown>;
}
type FlightClass<T extends FlightBase> = new (...args: unknown[]) => T;

/** A flight of the node's, sent on its RepeatSchedule, telling when it first left. */
export interface RepeatingFlight {
  schedule?: RepeatSchedule;
  /** called once, right after the flight first went out */
  onSent?: () => void;
}

/**
 * werift's flight classes with their `transmit` replaced: the flight goes out, and again on the
 * schedule until the peer's next flight moves the handshake on (or it is no longer wanted).
 */
function repeating<T extends FlightBase>(Base: FlightClass<T>): FlightClass<T & RepeatingFlight> {
  // werift's classes are typed loosely here: the mixin only adds what the node needs of them
  const Mixed = class extends (Base as FlightClass<FlightBase>) implements RepeatingFlight {
    schedule?: RepeatSchedule;
    onSent?: () => void;

    async transmit(buffers: Buffer[]): Promise<void> {
      let waited = 0;
      for (let attempt = 0; ; attempt++) {
        this.send(buffers).catch(() => undefined);
        if (attempt === 0) this.onSent?.();
        const schedule = this.schedule;
        if (this.nextFlight === undefined || !schedule) return;
        waited += await schedule.wait();
        if (this.dtls.flight >= this.nextFlight || !schedule.stillWanted()) return;
        if (waited >= GIVE_UP_MS) throw new Error(`DTLS flight ${this.flight} unanswered for ${waited} ms`);
      }
    }
  };
  return Mixed as unknown as FlightClass<T & RepeatingFlight>;
}

interface ServerFlight4 extends FlightBase {
  sendServerHello(): Buffer;
  sendCertificate(): Buffer;
  sendServerKeyExchange(): Buffer;
  sendCertificateRequest(): Buffer;
  sendServerHelloDone(): Buffer;
  transmit(buffers: Buffer[]): Promise<void>;
}
export interface DirectFlight4 extends ServerFlight4, RepeatingFlight {
  /** the hello came after the node's HelloVerifyRequest: numbered on from it */
  afterVerify: boolean;
  exec(clientHello: Handshake, certificateRequest?: boolean): Promise<void>;
}
export interface DirectFlight1 extends FlightBase, RepeatingFlight {
  exec(extensions: unknown[]): Promise<void>;
}
export interface DirectFlight5 extends FlightBase, RepeatingFlight {
  handleHandshake(handshake: Handshake): void;
  exec(): Promise<void>;
}
type FlightConstructor<T> = new (transport: unknown, dtls: unknown, cipher: unknown, srtp?: unknown) => T;

export interface Internals {
  ClientHello: { deSerialize(fragment: Buffer): { cookie: Buffer } };
  flight2: (udp: unknown, dtls: unknown, cipher: unknown, srtp: unknown) => (hello: unknown) => void;
  DirectFlight4: FlightConstructor<DirectFlight4>;
  DirectFlight1: FlightConstructor<DirectFlight1>;
  DirectFlight5: FlightConstructor<DirectFlight5>;
}

/** werift's server flight 4, numbered from 0 (the node skips the HelloVerifyRequest) */
function directFlight4(Flight4: FlightClass<ServerFlight4>): FlightConstructor<DirectFlight4> {
  const Repeating = repeating(Flight4);
  return class extends (Repeating as FlightClass<ServerFlight4 & RepeatingFlight>) implements DirectFlight4 {
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
      await this.transmit(messages);
    }
  } as unknown as FlightConstructor<DirectFlight4>;
}

/** loaded with this module (at the node's start, ~150 ms), not at the first join */
export const internals = loadWeriftInternals();
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
    const load = <T>(file: string, name: string) => (require(join(dtls, file)) as Record<string, T>)[name]!;
    return {
      ClientHello: load<Internals['ClientHello']>('handshake/message/client/hello.js', 'ClientHello'),
      flight2: load<Internals['flight2']>('flight/server/flight2.js', 'flight2'),
      DirectFlight4: directFlight4(load<FlightClass<ServerFlight4>>('flight/server/flight4.js', 'Flight4')),
      DirectFlight1: repeating(
        load<FlightClass<FlightBase>>('flight/client/flight1.js', 'Flight1'),
      ) as unknown as FlightConstructor<DirectFlight1>,
      DirectFlight5: repeating(
        load<FlightClass<FlightBase>>('flight/client/flight5.js', 'Flight5'),
      ) as unknown as FlightConstructor<DirectFlight5>,
    };
  } catch (err) {
    console.warn(`DTLS handshake left as werift does it: ${(err as Error).message}`);
    return undefined;
  }
}

// ---- on the wire ----

/** below any path's MTU once IP, UDP and a TURN header are added */
const MAX_DATAGRAM = 1200;
/** the second copy of a flight follows the first this much later, out of a short loss burst */
export const COPY_AFTER_MS = 20;

interface DtlsSocketTransport {
  transport: {
    send(record: Buffer, addr?: unknown): Promise<void>;
    socket: { closed?: boolean };
  };
}

/**
 * How the node's handshake flights travel. werift sends each record in a datagram of its own:
 * flight 4 is five datagrams, and at 5 % loss one of them is lost a quarter of the time. Here the
 * records sent in one tick go out together, in as few datagrams as fit, so a flight arrives whole
 * or not at all; and each flight is sent twice. A lost flight costs a retransmission timeout
 * (the peer's, for a flight the peer answers last: two round trips), a copy costs ~1 KB once per
 * connection; the peer drops whichever copy comes second (same records, same sequence numbers).
 * Application data (SCTP) goes out as werift sends it.
 */
export function sendFlightsWhole(socket: object): void {
  const dtls = socket as DtlsSocketTransport;
  const transport = dtls.transport;
  const send = transport.send.bind(transport);
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
          if (!transport.socket.closed) for (const d of datagrams) void send(d).catch(() => undefined);
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
 * Browsers' handshake messages no longer fit one datagram (Chromium's ClientHello carries a
 * post-quantum key share), so they come in fragments. werift joins whatever fragments it holds
 * once the last one of a message is there, whichever message they belong to: a fragment of a
 * hello that was repeated with a cookie, or a stray one, spoils the message it is mixed into.
 * Here a message is handed on only when its own fragments (same type, sequence and length)
 * cover it whole.
 */
export function reassembleByMessage(socket: object): void {
  const held = new Map<string, Fragment[]>();
  let count = 0;
  const dtls = socket as { handleFragmentHandshake(messages: Fragment[]): Fragment[] };
  dtls.handleFragmentHandshake = (messages) => {
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

/** a record of the handshake: ChangeCipherSpec (20) or Handshake (22) */
function isHandshakeRecord(record: Buffer): boolean {
  return record[0] === 20 || record[0] === 22;
}

/** DTLS content types 20..63 (RFC 7983 demultiplexing) */
export function isDtlsRecord(data: Buffer): boolean {
  const first = data[0];
  return first !== undefined && first >= 20 && first <= 63;
}

/** a datagram that starts with a plaintext ClientHello record */
export function isClientHelloRecord(data: Buffer): boolean {
  return (
    data.length > 13 &&
    data[0] === 22 && // handshake
    data.readUInt16BE(3) === 0 && // epoch 0
    data[13] === CLIENT_HELLO
  );
}

/** record sequence number 0: the peer's first record, not a repeat */
export function isFirstRecord(data: Buffer): boolean {
  return data.readUIntBE(5, 6) === 0;
}
