import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  useAbsSendTime,
  useH264,
  useNACK,
  useOPUS,
  usePLI,
  useREMB,
  useSdesMid,
  useTransportWideCC,
  useTWCC,
  useVP8,
} from 'werift';
import type { IceCandidate } from '@liveport/protocol';
import type { MediaConfig } from './MediaConfig.ts';

/**
 * One WebRTC connection between the node and a participant, in one direction: the publisher
 * transport receives the participant's tracks (the client offers), the subscriber transport
 * sends it everyone else's (the node offers). Two connections per participant keep
 * negotiation one-sided, so the two ends never offer at once.
 */
export type TransportRole = 'publisher' | 'subscriber';

const videoFeedback = () => [useNACK(), usePLI(), useREMB(), useTWCC()];

/** Codecs the node forwards; a subscriber is offered exactly the codec its publisher sends. */
export function supportedCodecs(): { audio: RTCRtpCodecParameters[]; video: RTCRtpCodecParameters[] } {
  return {
    audio: [useOPUS({ rtcpFeedback: [useTWCC()], parameters: 'minptime=10;useinbandfec=1' })],
    video: [
      useVP8({ rtcpFeedback: videoFeedback() }),
      useH264({ rtcpFeedback: videoFeedback() }),
      useH264({
        rtcpFeedback: videoFeedback(),
        parameters: 'profile-level-id=42001f;packetization-mode=1;level-asymmetry-allowed=1',
      }),
    ],
  };
}

export function createPeerConnection(config: MediaConfig): RTCPeerConnection {
  const bind = config.bindAddress;
  return new RTCPeerConnection({
    codecs: supportedCodecs(),
    headerExtensions: {
      audio: [useSdesMid(), useTransportWideCC()],
      video: [useSdesMid(), useAbsSendTime(), useTransportWideCC()],
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
}

/** Replace the address of host candidates with the announced one, in a candidate line or an SDP. */
export function announceAddress(text: string, announcedIp: string | undefined): string {
  if (!announcedIp) return text;
  return text.replace(
    /(candidate:\S+ \d+ (?:udp|UDP|tcp|TCP) \d+ )(\S+)( \d+ typ host)/g,
    (_all, head: string, _ip: string, tail: string) => `${head}${announcedIp}${tail}`,
  );
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
