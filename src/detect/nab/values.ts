// What one detected record is worth under a profile (NAB's weighted sweepScore).
import { MAX_TP } from './sigmoid.js';
import type { NabProfile } from './types.js';

/** In a window: tpWeight at the window's first record, falling towards 0 at its end. */
export function tpValue(sigmoid: number, profile: NabProfile): number {
  return (sigmoid * profile.tpWeight) / MAX_TP;
}

/** Outside every window: a negative share of fpWeight, the full weight far from any window. */
export function fpValue(sigmoid: number, profile: NabProfile): number {
  return sigmoid * profile.fpWeight;
}
