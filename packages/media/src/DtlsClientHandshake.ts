import type { DtlsClient, RTCDtlsTransport } from 'werift';
import {
  RepeatSchedule,
  SERVER_HELLO,
  SERVER_HELLO_DONE,
  reassembleByMessage,
  sendFlightsWhole,
  type DirectFlight5,
  type Handshake,
  type Internals,
} from './DtlsFlights.ts';
import type { HandshakeTimes } from './dtlsFastHandshake.ts';

/**
 * The node as DTLS client (it offers `a=setup:active` to its subscribers, and answers a
 * publisher's `actpass` as active), so that the picture reaches a viewer two round trips after
 * its first check instead of three:
 *
 *   check ─▶ node: ClientHello (with the check's answer) ─▶ browser: ServerHello … Done
 *   ─▶ node: its flight 5 and, right behind it, the keyframe ─▶ browser: picture
 *
 * The browser caches a ClientHello that comes before its ICE is writable and takes it up when
 * our answer to its check makes it so (libwebrtc's DtlsTransport), so the hello goes at the
 * first check. The media goes right after the node's Finished, before the browser's (TLS False
 * Start, RFC 7918): the keys are the node's once it has sent its key exchange, the browser's
 * certificate has been checked against the fingerprint in the SDP by then, and the key
 * exchange is ephemeral (ECDHE). A browser finishes its handshake on our flight 5, so the media
 * behind it is decrypted; if flight 5 was lost, the media before its repeat is, too, and the
 * browser asks for a keyframe.
 *
 * werift's own client waits 100 ms before its hello, repeats flights after 500 ms, 1 s, …, and
 * fails the transport when part of the server's flight 4 is lost (it waits 4.5 s for the
 * ServerHello that the other parts need, then gives up): here the flight is collected by
 * message sequence until it is whole, whatever order or repeats it comes in.
 */
export function leadHandshake(
  transport: RTCDtlsTransport,
  client: DtlsClient,
  times: HandshakeTimes,
  internals: Internals,
): void {
  sendFlightsWhole(client);
  reassembleByMessage(client);
  const socket = client as unknown as ClientInternals;
  const alive = () => transport.dtls === client && !client.transport.socket.closed;
  const failed = (err: Error) => client.onError.execute(err);

  // werift sends its hello 100 ms after start() on its own timer; the node's goes now
  socket.connect = async () => undefined;
  const hello = new internals.DirectFlight1(client.transport, client.dtls, client.cipher);
  hello.schedule = new RepeatSchedule(times, alive);
  hello.exec(socket.extensions).catch(failed);

  /** the server's flight 4 by message sequence: whole once ServerHello to ServerHelloDone are here */
  const flight4 = new Map<number, Handshake>();
  let flight5: DirectFlight5 | undefined;
  let resentAt = -Infinity;
  const handle = client.onHandleHandshakes;
  client.onHandleHandshakes = async (assembled) => {
    const rest: Handshake[] = [];
    let repeated = false;
    for (const h of assembled as Handshake[]) {
      if (!FLIGHT4.has(h.msg_type)) rest.push(h);
      else if (client.connected) continue;
      else if (flight5) repeated = true;
      else if (!flight4.has(h.message_seq)) flight4.set(h.message_seq, h);
    }
    // the server repeats its flight when ours did not reach it: send ours again now (once for
    // the datagrams of one repeat)
    if (repeated && flight5 && client.dtls.flight === 5 && performance.now() - resentAt > RESEND_GAP_MS) {
      resentAt = performance.now();
      void Promise.all(client.dtls.lastMessage.map((m) => client.transport.send(m)));
    }
    if (!flight5 && whole(flight4)) {
      try {
        flight5 = answer([...flight4.values()].sort((a, b) => a.message_seq - b.message_seq));
      } catch (err) {
        failed(err as Error);
        return;
      }
    }
    if (rest.length > 0) await handle(rest as Parameters<typeof handle>[0]);
  };

  function answer(messages: Handshake[]): DirectFlight5 {
    const flight = new internals.DirectFlight5(client.transport, client.dtls, client.cipher, client.srtp);
    socket.flight5 = flight;
    for (const m of messages) flight.handleHandshake(m);
    flight.schedule = new RepeatSchedule(times, alive);
    flight.onSent = () => startMediaEarly(transport);
    flight.exec().catch(failed);
    return flight;
  }
}

/** the datagrams of one repeated server flight come within this of each other */
const RESEND_GAP_MS = 50;

/** ServerHello, Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone */
const FLIGHT4 = new Set([SERVER_HELLO, 11, 12, 13, SERVER_HELLO_DONE]);

function whole(flight: Map<number, Handshake>): boolean {
  let first: number | undefined;
  let last: number | undefined;
  for (const h of flight.values()) {
    if (h.msg_type === SERVER_HELLO) first = h.message_seq;
    if (h.msg_type === SERVER_HELLO_DONE) last = h.message_seq;
  }
  if (first === undefined || last === undefined || last < first) return false;
  for (let seq = first; seq <= last; seq++) if (!flight.has(seq)) return false;
  return true;
}

interface ClientInternals {
  connect(): Promise<void>;
  extensions: unknown[];
  flight5?: DirectFlight5;
}

interface TransportInternals {
  state: string;
  srtpProfiles: unknown[];
  verifyRemoteCertificateFingerprint(): void;
  startSrtp(): void;
  setState(state: string): void;
}

/**
 * SRTP from the moment the node's Finished has gone: keys, the peer's certificate checked
 * against the SDP, and the transport open to the senders. werift's own start() does the same
 * again once the server's Finished is in (each step is idempotent) and opens SCTP after it.
 */
function startMediaEarly(transport: RTCDtlsTransport): void {
  const t = transport as unknown as TransportInternals;
  if (t.state !== 'connecting') return;
  try {
    t.verifyRemoteCertificateFingerprint();
  } catch {
    return; // werift's start() fails the transport for it when the handshake ends
  }
  if (t.srtpProfiles.length > 0) t.startSrtp();
  t.setState('connected');
}
