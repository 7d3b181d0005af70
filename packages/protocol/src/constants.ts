/** Bump on any change to the signaling protocol that an older peer would misread. */
export const PROTOCOL_VERSION = 1;
/** Largest signaling frame accepted, in bytes (SDP of a busy room fits well within). */
export const MAX_SIGNAL_BYTES = 256 * 1024;
/** Largest data message payload, in bytes of its string form. */
export const MAX_DATA_BYTES = 64 * 1024;
