/** How the node's WebRTC transports are set up; comes from the node's validated config. */
export interface MediaConfig {
  /** UDP port range for ICE, inclusive. */
  portMin: number;
  portMax: number;
  /** Bind ICE sockets to this address only (e.g. 127.0.0.1 for tests); default: every interface. */
  bindAddress?: string;
  /** Public address written into candidates instead of the host's own (servers behind NAT, relays). */
  announcedIp?: string;
  /** Seconds a participant may stay silent on signaling before it is removed. */
  participantTimeoutSec: number;
  /** Minimum milliseconds between keyframe requests sent to one publisher track. */
  keyframeRequestIntervalMs: number;
  /** A new subscriber starts from the cached keyframe group only while it is this young (ms). */
  keyframeCacheMs: number;
}

export const defaultMediaConfig: MediaConfig = {
  portMin: 50000,
  portMax: 60000,
  participantTimeoutSec: 20,
  keyframeRequestIntervalMs: 300,
  keyframeCacheMs: 500,
};
