import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RTCSctpTransport,
  useAbsSendTime,
  useH264,
  useNACK,
  useOPUS,
  usePLI,
  useREMB,
  useRepairedRtpStreamId,
  useSdesMid,
  useSdesRTPStreamId,
  useTransportWideCC,
  useTWCC,
  useVP8,
} from 'werift';
import type { IceCandidate } from '@liveport/protocol';
import type { MediaConfig } from './MediaConfig.ts';
import { fastDtlsHandshake, fastJoinEnabled, nodeIsDtlsServer, nodeLeadsDtls } from './dtlsFastHandshake.ts';
import { admitChecked, guardMediaPaths, type Address } from './IceLitePath.ts';

/**
 * One WebRTC connection between the node and a participant, in one direction: the publisher
 * transport receives the participant's tracks (the client offers), the subscriber transport
 * sends it everyone else's (the node offers). Two connections per participant keep
 * negotiation one-sided, so the two ends never offer at once.
 */
export type TransportRole = 'publisher' | 'subscriber';

/**
 * Publishers get REMB, not transport-cc: werift's transport-cc feedback is too rough for the
 * browser's delay-based estimator, which then holds a camera near 300 kbit/s. With REMB the
 * node states the rate it can take (PublisherBandwidth) and the browser's loss-based control
 * does the rest; `x-google-start-bitrate` spares the slow climb from 300 kbit/s.
 */
const START_KBPS = 800;

const OPUS_PAYLOAD_TYPE = 111;
const useRED = () =>
  new RTCRtpCodecParameters({
    mimeType: 'audio/red',
    clockRate: 48000,
    channels: 2,
    payloadType: 63,
    parameters: `${OPUS_PAYLOAD_TYPE}/${OPUS_PAYLOAD_TYPE}`,
    rtcpFeedback: [useTWCC()],
  });

/** Codecs the node forwards; a subscriber is offered exactly the codec its publisher sends. */
export function supportedCodecs(role: TransportRole): {
  audio: RTCRtpCodecParameters[];
  video: RTCRtpCodecParameters[];
} {
  const publisher = role === 'publisher';
  const feedback = () =>
    publisher ? [useNACK(), usePLI(), useREMB()] : [useNACK(), usePLI(), useREMB(), useTWCC()];
  const start = publisher ? `;x-google-start-bitrate=${START_KBPS}` : '';
  const repair = () =>
    publisher ? [] : [new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90000 })];
  return {
    audio: [
      // Subscribers get Opus wrapped in RED (RedPacker) when they can take it: audio has no
      // retransmission, so redundancy is its repair. Publishers send plain Opus, which the node
      // decodes for the voice agent and which keeps their uplink small.
      ...(publisher ? [] : [useRED()]),
      useOPUS({
        payloadType: OPUS_PAYLOAD_TYPE,
        rtcpFeedback: publisher ? [] : [useTWCC()],
        parameters: 'minptime=10;useinbandfec=1',
      }),
    ],
    // A subscriber's repairs go as RTX (RFC 4588: its own SSRC and payload type, so the
    // receiver tells a repair from the stream and counts it apart); each rtx entry right after
    // its codec, where werift's payload-type numbering pairs it (apt = the one before).
    video: [
      useVP8({ rtcpFeedback: feedback() }),
      ...repair(),
      useH264({
        rtcpFeedback: feedback(),
        parameters: `profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1${start}`,
      }),
      ...repair(),
      useH264({
        rtcpFeedback: feedback(),
        parameters: `profile-level-id=42001f;packetization-mode=1;level-asymmetry-allowed=1${start}`,
      }),
      ...repair(),
    ],
  };
}

export function createPeerConnection(config: MediaConfig, role: TransportRole): RTCPeerConnection {
  const bind = config.bindAddress;
  const twcc = role === 'subscriber' ? [useTransportWideCC()] : [];
  // werift answers (and acts on) STUN binding requests without checking that they are for this
  // connection, so a stray or forged request could move the media path: accept only requests
  // whose USERNAME starts with this connection's ICE ufrag, which only the client has seen,
  // and remember the address they came from as the only one media is taken from.
  const ownRequest = (
    msg: { getAttributeValue(name: string): unknown },
    addr: Address,
    protocol: object,
  ): boolean => {
    const username = msg.getAttributeValue('USERNAME');
    const ufrag = pc.iceTransports[0]?.connection.localUsername;
    const ok = typeof username === 'string' && ufrag !== undefined && username.split(':')[0] === ufrag;
    if (ok) {
      const selection = !fastJoinEnabled() ? 'by-nomination' : nodeIsDtlsServer(pc) ? 'on-dtls' : 'on-check';
      admitChecked(protocol, addr, pc.iceTransports[0]!.connection, selection);
      handshake.checkAccepted(protocol, addr);
    }
    return ok;
  };
  guardMediaPaths();
  const pc: RTCPeerConnection = new RTCPeerConnection({
    iceFilterStunResponse: ownRequest as NonNullable<
      ConstructorParameters<typeof RTCPeerConnection>[0]
    >['iceFilterStunResponse'],
    codecs: supportedCodecs(role),
    headerExtensions: {
      audio: [useSdesMid(), ...twcc],
      video: [useSdesMid(), useSdesRTPStreamId(), useRepairedRtpStreamId(), useAbsSendTime(), ...twcc],
    },
    // No STUN: the node knows its address (or is told it through announcedIp); nothing leaves the host.
    iceServers: [],
    icePortRange: [config.portMin, config.portMax],
    iceInterfaceAddresses: bind ? { udp4: bind } : undefined,
    // werift skips loopback interfaces; a browser on the same machine needs one.
    iceAdditionalHostAddresses: [bind ?? '127.0.0.1'],
    iceUseIpv6: false,
    // ICE-lite: the node only answers checks and never probes the client's candidates, so a
    // client reaches it exactly at the address it announces (a relay, a NAT's public side).
    iceLite: true,
    bundlePolicy: 'max-bundle',
  });
  const handshake = fastDtlsHandshake(pc);
  return pc;
}

/**
 * Make the node the DTLS client of a connection it offers (`a=setup:active` instead of actpass):
 * its ClientHello then leaves with the answer to the client's first check, and the picture can
 * follow its flight 5 (DtlsClientHandshake). Call before the offer is made.
 */
export function leadDtls(pc: RTCPeerConnection): void {
  if (!nodeLeadsDtls()) return;
  guardEarlySctp();
  const transports = (pc as unknown as { dtlsTransports: { role: string; state: string }[] }).dtlsTransports;
  for (const t of transports) if (t.role === 'auto' && t.state === 'new') t.role = 'client';
}

let sctpGuarded = false;
/**
 * As DTLS client the node's handshake ends after the browser's, which may open SCTP at once;
 * werift then flushes its data channels before its own SCTP start has numbered them and
 * throws (an unhandled rejection). Number them on first use instead, the way werift's start
 * would (even stream ids: the node is the ICE-controlled side).
 */
function guardEarlySctp(): void {
  if (sctpGuarded) return;
  sctpGuarded = true;
  const proto = RTCSctpTransport.prototype as unknown as {
    dataChannelId?: number;
    isServer: boolean;
    dataChannelFlush(): Promise<void>;
  };
  const flush = proto.dataChannelFlush;
  proto.dataChannelFlush = function (this: typeof proto) {
    this.dataChannelId ??= this.isServer ? 0 : 1;
    return flush.call(this);
  };
}

/** Replace the address of host candidates with the announced one, in a candidate line or an SDP. */
export function announceAddress(text: string, announcedIp: string | undefined): string {
  if (!announcedIp) return text;
  return text.replace(
    /(candidate:\S+ \d+ (?:udp|UDP|tcp|TCP) \d+ )(\S+)( \d+ typ host)/g,
    (_all, head: string, _ip: string, tail: string) => `${head}${announcedIp}${tail}`,
  );
}

/**
 * The candidates a client is told of, in an SDP of the node's. werift gathers a host candidate
 * per interface plus the bind address, each on a socket of its own. With a bind address every
 * socket listens there only, so the other interfaces' candidates lead nowhere; with an
 * announced address they all become that address on different ports. A client would then check
 * several pairs to the same node, and could send its DTLS on one and nominate another later:
 * it is told one candidate per address it can reach.
 */
export function candidatesFor(sdp: string, config: Pick<MediaConfig, 'bindAddress' | 'announcedIp'>): string {
  const bind = config.bindAddress && config.bindAddress !== '0.0.0.0' ? config.bindAddress : undefined;
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  let seen = new Set<string>();
  const lines: string[] = [];
  for (const line of sdp.split(eol)) {
    if (line.startsWith('m=')) seen = new Set(); // each section lists its own (without BUNDLE)
    const host = HOST_CANDIDATE.exec(line);
    if (host) {
      const [, component, transport, ip] = host;
      if (bind && ip !== bind) continue;
      const key = `${component} ${transport!.toLowerCase()} ${config.announcedIp ?? ip}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    lines.push(line);
  }
  return announceAddress(lines.join(eol), config.announcedIp);
}
const HOST_CANDIDATE = /^a=candidate:\S+ (\d+) (udp|UDP|tcp|TCP) \d+ (\S+) \d+ typ host/;

/**
 * werift writes `a=ice-lite` into each m-section, where browsers do not look for it (RFC 8839:
 * it is a session attribute). A client that misses it starts as the controlled agent when it
 * answers, the node refuses its checks with 487 Role Conflict, and ICE costs a round trip more.
 */
export function declareIceLite(sdp: string): string {
  if (!fastJoinEnabled() || !/^a=ice-lite\r?$/m.test(sdp)) return sdp;
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol).filter((line) => line !== 'a=ice-lite');
  const firstMedia = lines.findIndex((line) => line.startsWith('m='));
  // the session's attributes end where the first media section begins
  const at = firstMedia < 0 ? lines.length : firstMedia;
  lines.splice(at, 0, 'a=ice-lite');
  return lines.join(eol);
}

/**
 * werift lists a video's RTX SSRC beside the media SSRC (with their FID group) but without an
 * msid; libwebrtc then reads two tracks in one media section and refuses the whole offer.
 * Name the section's one track (media-level msid), as browsers do.
 */
export function nameRepairedTracks(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  return sdp
    .split(`${eol}m=`)
    .map((section) => {
      if (!/^a=ssrc-group:FID /m.test(section) || /^a=msid:/m.test(section)) return section;
      const mid = /^a=mid:(\S+)/m.exec(section)?.[1] ?? '0';
      const lines = section.split(eol);
      const at = lines.findIndex((line) => line.startsWith('a=ssrc'));
      lines.splice(at < 0 ? lines.length : at, 0, `a=msid:- liveport-${mid}`);
      return lines.join(eol);
    })
    .join(`${eol}m=`);
}

/** Turn a client's trickled candidate into what werift accepts; null means end of candidates. */
export function toWeriftCandidate(c: IceCandidate | null) {
  if (!c || !c.candidate) return undefined;
  return {
    candidate: c.candidate,
    sdpMid: c.sdpMid ?? undefined,
    sdpMLineIndex: c.sdpMLineIndex ?? undefined,
    usernameFragment: c.usernameFragment ?? undefined,
  };
}
