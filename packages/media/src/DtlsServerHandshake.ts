import { randomBytes } from 'node:crypto';
import type { DtlsServer } from 'werift';
import {
  CLIENT_HELLO,
  COPY_AFTER_MS,
  HELLO_VERIFY_REQUEST,
  RepeatSchedule,
  reassembleByMessage,
  sendFlightsWhole,
  type Handshake,
  type Internals,
} from './DtlsFlights.ts';
import type { Address } from './IceLitePath.ts';
import type { HandshakeTimes } from './dtlsFastHandshake.ts';

/**
 * The node as DTLS server (a client that insists on leading: `a=setup:active` in its offer, or
 * `LIVEPORT_DTLS_LEAD=off`), one round trip shorter and quicker to repair than werift's.
 *
 * werift's DTLS server answers the first ClientHello with a HelloVerifyRequest and waits for
 * the ClientHello to come back with the cookie. The cookie proves the client owns its address;
 * in WebRTC the ICE checks (signed with the short-term credentials) have proven that already,
 * and datagrams from unchecked addresses never reach DTLS (IceLitePath). RFC 6347 4.2.1 lets a
 * server skip the exchange, as OpenSSL in Janus and Pion do: here the node answers a
 * cookie-less ClientHello at once with ServerHello … ServerHelloDone, saving a round trip.
 *
 * Without the HelloVerifyRequest the client's first ClientHello is the start of the handshake:
 * it enters the transcript (the Finished and extended-master-secret hashes) and the server's
 * messages are numbered from message_seq 0, not 1 — otherwise the client waits for a message 0
 * that never comes, or its Finished does not verify.
 */
export function answerHellosDirectly(server: DtlsServer, times: HandshakeTimes, internals: Internals): void {
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
    flight.schedule = new RepeatSchedule(
      times,
      () => server.dtls === dtls && !server.transport.socket.closed,
    );
    flight.afterVerify = verify !== undefined;
    flight
      .exec(handshake, server.options.certificateRequest)
      .catch((err: Error) => server.onError.execute(err));
    return true;
  }
}

const discard = { send: async () => undefined };

/** werift's UDP socket of an ICE agent, for a datagram sent before any pair is selected */
export interface RawSocket {
  sendData(data: Buffer, addr: Address): Promise<void>;
}

/**
 * The client's first ClientHello is lost as often as any packet (5 % of joins on a link losing
 * 5 %; Chromium's is two datagrams), and the client sends it again only on its own timer, two
 * round trips later. The node knows when it is due: a round trip after the client's first
 * check was answered. Once it is clearly late, the node sends a HelloVerifyRequest (RFC 6347
 * 4.2.1), which a client waiting for its ServerHello answers at once with its hello again, now
 * with the cookie; the handshake then goes the standard way, numbered after the request. Costs
 * 1.35 round trips instead of 2.
 */
export function askForHelloIfLate(
  socket: RawSocket,
  addr: Address,
  times: HandshakeTimes,
  closed: () => boolean,
): void {
  const rtt = times.rttMs;
  if (rtt === undefined || times.firstCheckAt === undefined) return;
  const due = times.firstCheckAt + HELLO_LATE_RTTS * rtt + HELLO_LATE_MARGIN_MS;
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
