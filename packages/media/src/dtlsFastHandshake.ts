import { DtlsClient, DtlsServer, type RTCDtlsTransport, type RTCPeerConnection } from 'werift';
import {
  fastJoinEnabled,
  internals,
  isClientHelloRecord,
  isDtlsRecord,
  isFirstRecord,
} from './DtlsFlights.ts';
import { leadHandshake } from './DtlsClientHandshake.ts';
import { answerHellosDirectly, askForHelloIfLate, type RawSocket } from './DtlsServerHandshake.ts';
import { measureRoundTrip, type Address } from './IceLitePath.ts';

/**
 * The node's DTLS handshake on a connection, made for long, lossy links: the node leads it as
 * client where it can (DtlsClientHandshake: the picture two round trips after the first check),
 * answers a client that leads without werift's cookie round trip (DtlsServerHandshake), sends
 * every flight whole and twice, and repeats it just after the round trip the node measured
 * itself (DtlsFlights), not on werift's fixed timers.
 */

export { fastJoinEnabled, retransmitTimeouts } from './DtlsFlights.ts';

/**
 * Whether the node offers to lead the handshake (`a=setup:active`) on the connections it
 * offers; `LIVEPORT_DTLS_LEAD=off` leaves the browser to lead (for comparisons).
 */
export function nodeLeadsDtls(): boolean {
  return fastJoinEnabled() && process.env.LIVEPORT_DTLS_LEAD !== 'off';
}

/** what the node learns of a connection while ICE runs, for its DTLS handshake */
export interface FastHandshake {
  /**
   * A connectivity check from the client passed on `protocol` (a socket of the connection's ICE
   * agent) from `addr`: DTLS starts one round trip after its answer, at the latest.
   */
  checkAccepted(protocol: object, addr: Address): void;
}

/** What one connection's handshake has seen so far. */
export class HandshakeTimes {
  firstCheckAt?: number;
  /** the first ClientHello (record sequence 0, not a repeat) came */
  firstHelloAt?: number;
  /** a whole ClientHello came (all its fragments) */
  helloSeen = false;
  /** the node's own measurement (measureRoundTrip) */
  probedRttMs?: number;
  /** the HelloVerifyRequest the node sent when the client's hello was late (askForHelloIfLate) */
  verify?: { cookie: Buffer; record: Buffer };
  private settle!: () => void;
  /** settles when the node's own measurement is in, or has failed */
  readonly measured = new Promise<void>((resolve) => (this.settle = resolve));

  /** the round trip: measured, or else from the first check to the first hello */
  get rttMs(): number | undefined {
    if (this.probedRttMs !== undefined) return this.probedRttMs;
    if (this.firstHelloAt === undefined || this.firstCheckAt === undefined) return undefined;
    return this.firstHelloAt - this.firstCheckAt;
  }

  measuredAs(rttMs: number | undefined): void {
    this.probedRttMs ??= rttMs;
    this.settle();
  }

  /** a datagram from the client: the first of its ClientHello gives the round trip */
  sawRecord(data: Buffer): void {
    if (isClientHelloRecord(data) && isFirstRecord(data)) this.firstHelloAt ??= performance.now();
  }
}

const timesOf = new WeakMap<RTCPeerConnection, HandshakeTimes>();

/** The round trip to the client of `pc` as the node measured it at the handshake, ms. */
export function measuredRoundTrip(pc: RTCPeerConnection): number | undefined {
  return timesOf.get(pc)?.rttMs;
}

/** The node's side of the DTLS handshake on `pc`, whichever role it has there. */
export function fastDtlsHandshake(pc: RTCPeerConnection): FastHandshake {
  if (!internals || !fastJoinEnabled()) return { checkAccepted: () => undefined };
  const times = new HandshakeTimes();
  timesOf.set(pc, times);
  return {
    checkAccepted(protocol, addr) {
      if (times.firstCheckAt !== undefined) return;
      times.firstCheckAt = performance.now();
      for (const transport of pc.dtlsTransports) takeOverStart(transport, times);
      const agent = pc.iceTransports[0]?.connection;
      if (!agent) return times.measuredAs(undefined);
      // after the answer to this check has gone: the client's own checks come first
      setImmediate(() => {
        void measureRoundTrip(agent, protocol, addr).then((rtt) => {
          times.measuredAs(rtt);
          if (rtt !== undefined && nodeIsDtlsServer(pc))
            askForHelloIfLate(protocol as RawSocket, addr, times, () => agent.state === 'closed');
        });
      });
    },
  };
}

/**
 * The client answered with `a=setup:active` (or offered it): it sends the ClientHello and the
 * node answers. Otherwise (the node offered active, or answers an actpass offer as the ICE-lite,
 * controlled side) the node is the client.
 */
export function nodeIsDtlsServer(pc: RTCPeerConnection): boolean {
  const dtls = pc.dtlsTransports[0] as unknown as
    { role: string; remoteParameters?: { role: string } } | undefined;
  return dtls?.role === 'server' || (dtls?.role === 'auto' && dtls.remoteParameters?.role === 'client');
}

const EARLY_RECORDS = 8;

/**
 * werift starts a connection's DTLS once ICE has a pair (IceLitePath selects it at the first
 * check where the node leads, on the client's first DTLS record where it answers): the node's
 * handshake takes over there. What the client sent before (its ClientHello can come with the
 * check that selects the pair) is kept and handed over, not dropped, which would leave the
 * client to repeat it on its own timer.
 */
function takeOverStart(transport: RTCDtlsTransport, times: HandshakeTimes): void {
  const early: Buffer[] = [];
  const connection = transport.iceTransport.connection;
  const watch = connection.onData.subscribe((data: Buffer) => {
    if (!isDtlsRecord(data)) return;
    times.sawRecord(data);
    if (early.length < EARLY_RECORDS) early.push(data);
  });
  const start = transport.start;
  // its DTLS socket exists from the synchronous part of start() on
  transport.start = function (this: RTCDtlsTransport) {
    transport.start = start;
    watch.unSubscribe();
    const done = start.call(this);
    const dtls = this.dtls;
    if (dtls instanceof DtlsServer) {
      answerHellosDirectly(dtls, times, internals!);
      for (const data of early) dtls.transport.socket.onData(data, ['', 0]);
    } else if (dtls instanceof DtlsClient) {
      leadHandshake(this, dtls, times, internals!);
    }
    early.length = 0;
    return done;
  };
}
