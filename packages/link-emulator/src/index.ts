export { LinkShaper } from './LinkShaper.ts';
export type { LinkStats } from './LinkShaper.ts';
export { UdpRelay } from './UdpRelay.ts';
export type { Flow, RelayOptions } from './UdpRelay.ts';
export { burstyLoss, perfectLink, validateConditions } from './LinkConditions.ts';
export type { GilbertElliott, LinkConditions } from './LinkConditions.ts';
