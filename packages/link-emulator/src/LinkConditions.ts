/**
 * What one direction of an emulated network link does to packets. Everything is optional and
 * off by default; change it while the link runs.
 */
export interface LinkConditions {
  /** one-way delay added to every packet, ms */
  delayMs: number;
  /** each packet's delay varies uniformly within ±jitterMs */
  jitterMs: number;
  /** random (Bernoulli) loss probability, 0..1; ignored when `burst` is set */
  loss: number;
  /** bursty loss: a two-state Gilbert–Elliott chain */
  burst?: GilbertElliott;
  /** probability that a packet is held back so later ones overtake it, 0..1 */
  reorder: number;
  /** bottleneck rate in kbit/s; 0 means unlimited */
  bandwidthKbps: number;
  /** the bottleneck's queue, as ms of sending at the rate; packets that do not fit are dropped */
  queueMs: number;
}

/**
 * Gilbert–Elliott: in the good state packets are lost with `lossGood`, in the bad state with
 * `lossBad`; after each packet the chain moves good→bad with `pGoodToBad` and bad→good with
 * `pBadToGood`. Mean loss = (pGB·lossBad + pBG·lossGood) / (pGB + pBG).
 */
export interface GilbertElliott {
  pGoodToBad: number;
  pBadToGood: number;
  lossGood: number;
  lossBad: number;
}

export const perfectLink: LinkConditions = {
  delayMs: 0,
  jitterMs: 0,
  loss: 0,
  reorder: 0,
  bandwidthKbps: 0,
  queueMs: 200,
};

/** A bursty chain with the given mean loss and mean burst length (packets), losing all in bursts. */
export function burstyLoss(meanLoss: number, meanBurstPackets = 3): GilbertElliott {
  const pBadToGood = 1 / meanBurstPackets;
  const pGoodToBad = (meanLoss * pBadToGood) / Math.max(1e-9, 1 - meanLoss);
  return { pGoodToBad, pBadToGood, lossGood: 0, lossBad: 1 };
}

/** Check values a person or a test gave; throws with the field's name. */
export function validateConditions(c: Partial<LinkConditions>): void {
  const unit = (k: keyof LinkConditions) => {
    const v = c[k];
    if (v !== undefined && (typeof v !== 'number' || !(v >= 0 && v <= 1)))
      throw new RangeError(`${k} must be within 0..1`);
  };
  const positive = (k: keyof LinkConditions) => {
    const v = c[k];
    if (v !== undefined && (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)))
      throw new RangeError(`${k} must be ≥ 0`);
  };
  unit('loss');
  unit('reorder');
  positive('delayMs');
  positive('jitterMs');
  positive('bandwidthKbps');
  positive('queueMs');
  if (c.burst) {
    for (const [k, v] of Object.entries(c.burst)) {
      if (typeof v !== 'number' || !(v >= 0 && v <= 1))
        throw new RangeError(`burst.${k} must be within 0..1`);
    }
  }
}
