import { StunProtocol } from 'werift';

/**
 * The media path of one of the node's connections, where the node is the ICE-lite agent: whom
 * it takes datagrams from, and which candidate pair it sends on.
 *
 * Admission: werift hands every non-STUN datagram on an ICE socket to DTLS/SRTP, whoever sent
 * it. Only addresses that passed a connectivity check on that socket (signed with this
 * connection's credentials) are let through (ICE's consent rule), so strangers' garbage costs
 * no decrypt attempts and cannot upset the DTLS state.
 *
 * Selection: werift's lite agent sends nothing until the client nominates a pair, and a client
 * with regular nomination (libwebrtc: browsers, wrtc) nominates on its next ping of the pair it
 * chose, up to a second later on a long link. Where the client leads the DTLS handshake, it
 * sends its ClientHello only on the pair it has selected, so that pair is the path: the node
 * selects it on the client's first DTLS record. Where the node leads, it selects the pair of the
 * first check that passes, as mediasoup's ICE-lite server does, and its ClientHello leaves with
 * the answer. A later nomination of another pair (the client switched networks, or preferred
 * another pair) moves the path there.
 */

export type Address = Readonly<[string, number]>;

/** The parts of werift's ICE agent (ice/src/ice.js) this module reads and drives. */
interface IceAgent {
  state: string;
  iceLite: boolean;
  localUsername: string;
  remoteUsername?: string;
  remotePassword?: string;
  buildRequest(options: {
    nominate: boolean;
    localUsername: string;
    remoteUsername: string;
    iceControlling: boolean;
  }): object;
  nominated?: IcePair;
  checkList: IcePair[];
  checkComplete(pair: IcePair): void;
  checkIncoming(message: StunRequest, addr: Address, protocol: object): void;
}
interface IcePair {
  protocol: object;
  remoteAddr: Address;
  nominated: boolean;
  updateState(state: number): void;
}
interface StunRequest {
  attributesKeys: string[];
}
/** werift's CandidatePairState.SUCCEEDED */
const PAIR_SUCCEEDED = 3;

const checked = new WeakMap<object, Set<string>>();
/** the agent a socket belongs to, for selection by DTLS (one agent per socket in werift) */
const agents = new WeakMap<object, IceAgent>();
const following = new WeakSet<IceAgent>();

/**
 * How the node chooses its path on a connection: on the client's first DTLS record where the
 * client sends the first one (it leads the handshake), at the first check where the node leads
 * (nothing else will come before the node's ClientHello), or by nomination only (werift's way).
 */
export type PathSelection = 'on-dtls' | 'on-check' | 'by-nomination';
const selectingOnCheck = new WeakSet<IceAgent>();

/**
 * A connectivity check from `addr` on `protocol` passed the connection's credentials: media may
 * come from there, and the path may be chosen (see PathSelection).
 */
export function admitChecked(protocol: object, addr: Address, agent: object, selection: PathSelection): void {
  let set = checked.get(protocol);
  if (!set) checked.set(protocol, (set = new Set()));
  set.add(`${addr[0]}:${addr[1]}`);
  if (selection === 'by-nomination') return;
  const ice = agent as IceAgent;
  if (selection === 'on-dtls') agents.set(protocol, ice);
  else selectingOnCheck.add(ice);
  followNominations(ice);
}

/**
 * The address the last datagram on a socket was admitted from: media comes from one address
 * at a time, so the check per packet is two comparisons instead of building a key string.
 */
const lastAdmitted = new WeakMap<object, { host: string; port: number }>();
function admitted(protocol: object, addr: Address): boolean {
  const last = lastAdmitted.get(protocol);
  if (last && last.host === addr[0] && last.port === addr[1]) return true;
  if (!checked.get(protocol)?.has(`${addr[0]}:${addr[1]}`)) return false;
  if (last) {
    last.host = addr[0];
    last.port = addr[1];
  } else lastAdmitted.set(protocol, { host: addr[0], port: addr[1] });
  return true;
}

/** Select the pair a DTLS record came on, when the agent has no path yet. */
function selectOnDtls(protocol: object, addr: Address): void {
  const ice = agents.get(protocol);
  if (ice) select(ice, protocol, addr);
}

function select(ice: IceAgent, protocol: object, addr: Address): void {
  if (ice.nominated || ice.state === 'closed') return;
  const pair = findPair(ice, protocol, addr);
  if (!pair) return; // its check is still queued before werift's connect(): wait for nomination
  pair.nominated = true;
  pair.updateState(PAIR_SUCCEEDED);
  ice.checkComplete(pair);
}

function findPair(ice: IceAgent, protocol: object, addr: Address): IcePair | undefined {
  return ice.checkList.find(
    (p) => p.protocol === protocol && p.remoteAddr[0] === addr[0] && p.remoteAddr[1] === addr[1],
  );
}

/**
 * werift's lite agent keeps the first nominated pair for good; a client's later nomination of
 * another pair (a new network, a better pair) is where the client now listens and sends. Where
 * the node leads, the first check that passes selects its pair.
 */
function followNominations(ice: IceAgent): void {
  if (following.has(ice) || !ice.iceLite) return;
  following.add(ice);
  const checkIncoming = ice.checkIncoming;
  ice.checkIncoming = function (this: IceAgent, message, addr, protocol) {
    checkIncoming.call(this, message, addr, protocol);
    if (!this.nominated && selectingOnCheck.has(this)) select(this, protocol, addr);
    const current = this.nominated;
    if (!current || !message.attributesKeys.includes('USE-CANDIDATE')) return;
    const pair = findPair(this, protocol, addr);
    if (!pair || pair === current) return;
    pair.nominated = true;
    pair.updateState(PAIR_SUCCEEDED);
    this.nominated = pair;
  };
}

interface StunSocket {
  request(
    request: object,
    addr: Address,
    integrityKey: Buffer,
    options: { retransmissions: number; responseTimeout: number },
  ): Promise<unknown>;
}
const PROBES = 2;
const PROBE_SPACING_MS = 20;
const PROBE_TIMEOUT_MS = 3000;

/**
 * The round trip to a client, ms, measured by the node's own binding requests on the path a
 * check of the client's came on (undefined when none is answered). A lite agent need not send
 * checks, but any agent answers one with the right credentials, and the node's handshake
 * timers want the round trip before the client's DTLS has told it. Two requests, 20 ms
 * apart and never retransmitted (a repeat would blur the time), so one loss does not cost it.
 */
export function measureRoundTrip(
  agent: object,
  protocol: object,
  addr: Address,
): Promise<number | undefined> {
  const ice = agent as IceAgent;
  const remoteUsername = ice.remoteUsername;
  const password = ice.remotePassword;
  if (!remoteUsername || !password) return Promise.resolve(undefined);
  const key = Buffer.from(password, 'utf8');
  const probes = Array.from({ length: PROBES }, async (_, i) => {
    if (i > 0) await new Promise((r) => setTimeout(r, i * PROBE_SPACING_MS).unref());
    if (ice.state === 'closed') throw new Error('closed');
    const request = ice.buildRequest({
      nominate: false,
      localUsername: ice.localUsername,
      remoteUsername,
      iceControlling: false,
    });
    const sentAt = performance.now();
    await (protocol as StunSocket).request(request, addr, key, {
      retransmissions: 0,
      responseTimeout: PROBE_TIMEOUT_MS,
    });
    return performance.now() - sentAt;
  });
  return Promise.any(probes).catch(() => undefined);
}

let guarded = false;
/** Admission and selection on every ICE socket of the process (werift's UDP entry point). */
export function guardMediaPaths(): void {
  if (guarded) return;
  guarded = true;
  const proto = StunProtocol.prototype as unknown as { datagramReceived(data: Buffer, addr: Address): void };
  const original = proto.datagramReceived;
  proto.datagramReceived = function (this: object, data: Buffer, addr: Address) {
    const first = data[0];
    const stun = data.length >= 20 && first !== undefined && first < 2;
    if (!stun) {
      if (!admitted(this, addr)) return;
      // DTLS content types 20..63 (RFC 7983)
      if (first !== undefined && first >= 20 && first <= 63) selectOnDtls(this, addr);
    }
    original.call(this, data, addr);
  };
}
