// NAB's threshold sweep (Sweeper.calcScoreByThreshold + optimizer.optimizeThreshold):
// the one threshold, over the whole corpus, with the highest total score.
// Exact: every distinct score is a candidate. Incremental: records are visited
// once, from the highest score down, updating the total as thresholds fall.
import { labelFile, type LabelledFile } from './label.js';
import { fpValue, tpValue } from './values.js';
import { PROBATIONARY_PERCENT, type NabProfile, type ScoringInput } from './types.js';

/** The scorable records of a corpus, ordered for sweeping; profile-independent, so build it once. */
export interface SweepTable {
  readonly scores: Float64Array;
  /** Per record: corpus-wide id of its window, or -1. */
  readonly window: Int32Array;
  readonly sigmoid: Float64Array;
  /** Ids of the records with a (non-NaN) score, highest score first, ties in corpus order (NAB's stable sort). */
  readonly order: Uint32Array;
  /** Windows that can be scored (past probation): each starts as a miss. */
  readonly windowCount: number;
  readonly inWindow: number;
  readonly outside: number;
}

export interface SweepResult {
  /** The best threshold; 1.1 (NAB's start, above every score) when detecting nothing is best. */
  readonly threshold: number;
  /** Corpus total at that threshold (un-normalised). */
  readonly rawScore: number;
  readonly tp: number;
  readonly tn: number;
  readonly fp: number;
  readonly fn: number;
  /** Candidate thresholds evaluated, including the detect-nothing one. */
  readonly candidates: number;
}

/** NAB's first candidate: scores lie in [0, 1], so nothing reaches it. */
const NOTHING_DETECTED = 1.1;

export function buildSweepTable(
  files: readonly ScoringInput[],
  percent: number = PROBATIONARY_PERCENT,
  labelled: readonly LabelledFile[] = files.map((f) => labelFile(f.timestamps, f.windows, percent)),
): SweepTable {
  let size = 0;
  for (const l of labelled) size += Math.max(0, l.length - l.firstScored);
  const scores = new Float64Array(size);
  const window = new Int32Array(size);
  const sigmoid = new Float64Array(size);
  let k = 0, windowCount = 0, inWindow = 0, detectable = 0;
  files.forEach((file, f) => {
    const l = labelled[f]!;
    if (file.scores.length !== l.length) throw new Error(`file ${f}: ${file.scores.length} anomaly scores for ${l.length} records`);
    const ids = new Int32Array(l.windowCount);
    for (let w = 0; w < l.windowCount; w++) ids[w] = l.scorable[w] ? windowCount++ : -1;
    for (let i = l.firstScored; i < l.length; i++, k++) {
      scores[k] = file.scores[i]!;
      window[k] = l.window[i]! >= 0 ? ids[l.window[i]!]! : -1;
      sigmoid[k] = l.sigmoid[i]!;
      if (window[k]! >= 0) inWindow++;
      if (!Number.isNaN(scores[k])) detectable++;
    }
  });
  // NaN never reaches a threshold: leave those records out of the order (they stay TN/FN).
  const order = new Uint32Array(detectable);
  for (let r = 0, j = 0; r < size; r++) if (!Number.isNaN(scores[r])) order[j++] = r;
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return { scores, window, sigmoid, order, windowCount, inWindow, outside: size - inWindow };
}

export function sweepThreshold(table: SweepTable, profile: NabProfile): SweepResult {
  const { scores, window, sigmoid, order } = table;
  // Per window: its earliest detection's value so far, or the miss penalty.
  const parts = new Float64Array(table.windowCount).fill(-profile.fnWeight);
  let windowSum = sum(parts);
  let fpScore = 0;
  let tp = 0, fp = 0, fn = table.inWindow, tn = table.outside;
  const top = order.length ? scores[order[0]!]! : -Infinity;
  let best = { threshold: top < NOTHING_DETECTED ? NOTHING_DETECTED : Infinity, rawScore: fpScore + windowSum, tp, tn, fp, fn };
  let candidates = 1;
  for (let k = 0; k < order.length; ) {
    const threshold = scores[order[k]!]!;
    let windowsChanged = false;
    // Lowering the threshold to this score detects every record holding it.
    for (; k < order.length && scores[order[k]!] === threshold; k++) {
      const r = order[k]!;
      const w = window[r]!;
      if (w >= 0) {
        tp++; fn--;
        const v = tpValue(sigmoid[r]!, profile);
        if (v > parts[w]!) { parts[w] = v; windowsChanged = true; }
      } else {
        fp++; tn--;
        fpScore += fpValue(sigmoid[r]!, profile);
      }
    }
    // Re-summing (not adjusting) keeps an unchanged total bit-identical, so ties resolve as in NAB.
    if (windowsChanged) windowSum = sum(parts);
    candidates++;
    const rawScore = fpScore + windowSum;
    // Strictly greater: among equal totals NAB keeps the highest threshold.
    if (rawScore > best.rawScore) best = { threshold, rawScore, tp, tn, fp, fn };
  }
  return { ...best, candidates };
}

function sum(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}
