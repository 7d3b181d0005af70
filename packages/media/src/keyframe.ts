/**
 * Tells whether an RTP payload starts or carries a keyframe, by codec. The node needs this to
 * start a new subscriber on a decodable picture and to switch sources without artefacts.
 * Every read is bounds-checked: payloads come from the network.
 */
export function isKeyframe(mimeType: string, payload: Uint8Array): boolean {
  switch (mimeType.toLowerCase()) {
    case 'video/vp8':
      return isVp8Keyframe(payload);
    case 'video/h264':
      return isH264Keyframe(payload);
    default:
      return false;
  }
}

/** RFC 7741: payload descriptor, then the VP8 frame header whose P bit is 0 on keyframes. */
export function isVp8Keyframe(p: Uint8Array): boolean {
  if (p.length < 1) return false;
  const b0 = p[0]!;
  const startOfPartition = (b0 & 0x10) !== 0;
  const partitionId = b0 & 0x07;
  if (!startOfPartition || partitionId !== 0) return false;
  let i = 1;
  if (b0 & 0x80) {
    if (p.length <= i) return false;
    const x = p[i++]!;
    if (x & 0x80) {
      if (p.length <= i) return false;
      i += p[i]! & 0x80 ? 2 : 1; // 15- or 7-bit picture id
    }
    if (x & 0x40) i += 1; // TL0PICIDX
    if (x & 0x30) i += 1; // TID/Y/KEYIDX
  }
  if (p.length <= i) return false;
  return (p[i]! & 0x01) === 0;
}

const H264_IDR = 5;
const H264_SPS = 7;
const H264_STAP_A = 24;
const H264_FU_A = 28;

/** RFC 6184: an IDR or SPS NAL unit, alone, aggregated (STAP-A) or at the start of a fragment (FU-A). */
export function isH264Keyframe(p: Uint8Array): boolean {
  if (p.length < 1) return false;
  const type = p[0]! & 0x1f;
  if (type === H264_IDR || type === H264_SPS) return true;
  if (type === H264_STAP_A) {
    let i = 1;
    while (i + 2 < p.length) {
      const size = (p[i]! << 8) | p[i + 1]!;
      const nal = p[i + 2]! & 0x1f;
      if (nal === H264_IDR || nal === H264_SPS) return true;
      i += 2 + size;
    }
    return false;
  }
  if (type === H264_FU_A) {
    if (p.length < 2) return false;
    const start = (p[1]! & 0x80) !== 0;
    const nal = p[1]! & 0x1f;
    return start && (nal === H264_IDR || nal === H264_SPS);
  }
  return false;
}

/**
 * The VP8 temporal layer of a packet (RFC 7741 TID), or -1 when the descriptor has none (then
 * every frame may be a reference). Layer 0 frames are what later frames are built on.
 */
export function vp8TemporalId(p: Uint8Array): number {
  if (p.length < 2) return -1;
  const b0 = p[0]!;
  if (!(b0 & 0x80)) return -1;
  const x = p[1]!;
  if (!(x & 0x20)) return -1;
  let i = 2;
  if (x & 0x80) {
    if (p.length <= i) return -1;
    i += p[i]! & 0x80 ? 2 : 1;
  }
  if (x & 0x40) i++;
  if (p.length <= i) return -1;
  return p[i]! >> 6;
}
