// Small synthetic inputs for the NAB scorer tests.
import type { NabProfile, NabWindow, ScoringInput } from '../../../src/detect/nab/index.js';
import { mulberry32 } from '../../../src/core/mulberry32.js';

export const STANDARD: NabProfile = { name: 'standard', tpWeight: 1, fpWeight: 0.11, fnWeight: 1, tnWeight: 1 };
export const LOW_FP: NabProfile = { name: 'reward_low_FP_rate', tpWeight: 1, fpWeight: 0.22, fnWeight: 1, tnWeight: 1 };
export const LOW_FN: NabProfile = { name: 'reward_low_FN_rate', tpWeight: 1, fpWeight: 0.11, fnWeight: 2, tnWeight: 1 };
export const PROFILES = [STANDARD, LOW_FP, LOW_FN];

const T0 = Date.UTC(2014, 3, 1);
const MINUTE = 60_000;

/** n records one minute apart. */
export function minutes(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => T0 + i * MINUTE);
}

/** The window spanning records `from`..`to` (inclusive) of a series. */
export function windowOf(timestamps: Float64Array, from: number, to: number): NabWindow {
  return { start: timestamps[from]!, end: timestamps[to]! };
}

/** A file of n records whose score is 1 at the `detected` indices and 0 elsewhere. */
export function fileWith(n: number, windows: [number, number][], detected: number[]): ScoringInput {
  const timestamps = minutes(n);
  const scores = new Float64Array(n);
  for (const i of detected) scores[i] = 1;
  return { timestamps, scores, windows: windows.map(([a, b]) => windowOf(timestamps, a, b)) };
}

export { mulberry32 as rng };
