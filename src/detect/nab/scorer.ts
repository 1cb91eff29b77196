// NAB scoring of one file at a fixed threshold, and the normalisation of a corpus total.
import { labelFile, type LabelledFile } from './label.js';
import { fpValue, tpValue } from './values.js';
import type { FileScore, NabProfile, ScoringInput } from './types.js';

export { sweepThreshold, buildSweepTable } from './sweep.js';

/**
 * Detections are records with score >= threshold. Each scorable window adds
 * its best (= earliest) detection's value, or -fnWeight if none; every FP adds
 * its weighted value; TNs add nothing.
 */
export function scoreFile(
  input: ScoringInput,
  profile: NabProfile,
  threshold: number,
  labelled: LabelledFile = labelFile(input.timestamps, input.windows),
): FileScore {
  const { scores } = input;
  if (scores.length !== labelled.length) {
    throw new Error(`${scores.length} anomaly scores for ${labelled.length} records`);
  }
  const best = new Float64Array(labelled.windowCount).fill(-profile.fnWeight);
  let fpScore = 0;
  let tp = 0, tn = 0, fp = 0, fn = 0;
  for (let i = labelled.firstScored; i < labelled.length; i++) {
    const w = labelled.window[i]!;
    const hit = scores[i]! >= threshold;
    if (w >= 0) {
      if (hit) {
        tp++;
        const v = tpValue(labelled.sigmoid[i]!, profile);
        if (v > best[w]!) best[w] = v;
      } else fn++;
    } else if (hit) {
      fp++;
      fpScore += fpValue(labelled.sigmoid[i]!, profile);
    } else tn++;
  }
  let score = fpScore;
  for (let w = 0; w < labelled.windowCount; w++) if (labelled.scorable[w]) score += best[w]!;
  return { score, tp, tn, fp, fn };
}

/** The null detector flags nothing: every scorable window is a miss. */
export function nullScore(profile: NabProfile, scorableWindows: number): number {
  return -profile.fnWeight * scorableWindows;
}

/** The perfect detector flags every window at its first record. */
export function perfectScore(profile: NabProfile, windows: number): number {
  return profile.tpWeight * windows;
}

/**
 * 100 * (raw - null) / (perfect - null), as NAB's runner.normalize: null is
 * the null detector's total (windows past probation) and perfect counts every
 * labelled window; in NAB v1.1 both are 116.
 */
export function normalizedScore(
  raw: number,
  profile: NabProfile,
  windows: number,
  scorableWindows: number = windows,
): number {
  const base = nullScore(profile, scorableWindows);
  return (100 * (raw - base)) / (perfectScore(profile, windows) - base);
}
