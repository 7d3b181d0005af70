import type { Participant } from './Participant.ts';
import type { Room } from './Room.ts';

/** What the node knows of one published track, per layer. */
export interface PublishedTrackStats {
  trackSid: string;
  kind: string;
  source: string;
  mimeType: string;
  muted: boolean;
  subscribers: number;
  layers: {
    rid?: string;
    bitrateBps: number;
    lossRatio: number;
    packetsReceived: number;
    keyframeRequests: number;
    active: boolean;
  }[];
}

/** What the node knows of one track as one participant receives it. */
export interface SubscribedTrackStats {
  trackSid: string;
  publisherSid: string;
  kind: string;
  /** simulcast layer being sent; -1 while paused */
  layer: number;
  targetLayer: number;
  layerSwitches: number;
  packetsSent: number;
  bytesSent: number;
  bitrateBps: number;
  /** smoothed fraction lost, from the subscriber's receiver reports */
  lossRatio: number;
  rttMs: number;
  /** loss repair sent ahead of NACKs: copies per reference-frame packet (video), RED distance (audio) */
  protection: number;
  /** proactive copies sent so far */
  copiesSent: number;
}

export interface ParticipantStats {
  participantSid: string;
  identity: string;
  /** rate the node allows this participant's uplink (REMB), bit/s */
  uplinkEstimateBps: number;
  /** the node's estimate of this participant's downlink from transport-wide feedback, bit/s */
  downlinkEstimateBps: number;
  published: PublishedTrackStats[];
  subscribed: SubscribedTrackStats[];
}

export function participantStats(p: Participant): ParticipantStats {
  return {
    participantSid: p.sid,
    identity: p.identity,
    uplinkEstimateBps: p.published.size ? p.uplinkEstimate : 0,
    downlinkEstimateBps: p.downlinkEstimate,
    published: [...p.published.values()]
      .filter((t) => t.bound)
      .map((t) => ({
        trackSid: t.sid,
        kind: t.kind,
        source: t.source,
        mimeType: t.mimeType,
        muted: t.muted,
        subscribers: t.subscriberCount,
        layers: t.layers.map((l) => ({
          rid: l.rid,
          bitrateBps: l.bitrate,
          lossRatio: round(l.loss),
          packetsReceived: l.packetsReceived,
          keyframeRequests: l.keyframeRequests,
          active: l.active,
        })),
      })),
    subscribed: [...p.downTracks.values()].map((d) => ({
      trackSid: d.track.sid,
      publisherSid: d.track.publisherSid,
      kind: d.track.kind,
      layer: d.current,
      targetLayer: d.neededLayer,
      layerSwitches: d.layerSwitches,
      packetsSent: d.packetsSent,
      bytesSent: d.bytesSent,
      bitrateBps: d.bitrate,
      lossRatio: round(d.layers.lossEwma),
      rttMs: Math.round(d.layers.rttMs),
      protection: d.track.kind === 'audio' ? d.redDistance : d.protection,
      copiesSent: d.copiesSent,
    })),
  };
}

export function roomStats(room: Room): ParticipantStats[] {
  return [...room.participants.values()].map(participantStats);
}

const round = (n: number) => Math.round(n * 1000) / 1000;
