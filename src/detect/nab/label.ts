// Per-record geometry of one file, as NAB's Sweeper.calcSweepScore computes it:
// which window a record falls in, and its unweighted scaled-sigmoid value.
// It does not depend on the scores or the profile, so it is computed once per file.
import { scaledSigmoid } from './sigmoid.js';
import { PROBATIONARY_PERCENT, type NabWindow } from './types.js';

export interface LabelledFile {
  readonly length: number;
  /** First scored record: records before it are probationary and ignored entirely. */
  readonly firstScored: number;
  /** Per record: ordinal of the window holding it, or -1 outside every window. */
  readonly window: Int32Array;
  /** Per record: scaledSigmoid of its position, as a TP inside a window and as an FP outside. */
  readonly sigmoid: Float64Array;
  readonly windowCount: number;
  /** Per window: 1 if it has a record past the probationary period. Only those count (a missed one costs fnWeight). */
  readonly scorable: Uint8Array;
}

/** NAB: min(floor(percent * n), percent * 5000), i.e. at most 750 records at 15%. */
export function probationaryLength(n: number, percent: number = PROBATIONARY_PERCENT): number {
  return Math.min(Math.floor(percent * n), percent * 5000);
}

/**
 * Follows the sweeper literally, which matters when timestamps repeat or step
 * back (some NAB files do): a window opens at the first record whose timestamp
 * equals its start, its right edge is the first index of its end timestamp,
 * and it closes after the record whose timestamp equals its end.
 */
export function labelFile(
  timestamps: ArrayLike<number>,
  windows: readonly NabWindow[],
  percent: number = PROBATIONARY_PERCENT,
): LabelledFile {
  const n = timestamps.length;
  const window = new Int32Array(n);
  const sigmoid = new Float64Array(n);
  const firstScored = Math.ceil(probationaryLength(n, percent));
  const edges = windows.map((w) => ({ left: firstIndex(timestamps, w.start), right: firstIndex(timestamps, w.end) }));

  let next = 0; // the next window to open
  let cur = -1; // the open window, or -1
  let prevRight = -1; // right edge and width of the last window closed, for FP weighting
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    const t = timestamps[i]!;
    if (next < windows.length && t === windows[next]!.start) cur = next++;
    if (cur >= 0) {
      const { left, right } = edges[cur]!;
      sigmoid[i] = scaledSigmoid(-(right - i + 1) / (right - left + 1));
      window[i] = cur;
    } else {
      // Before any window an FP costs the full weight; after one, less the closer it is.
      sigmoid[i] = prevRight < 0 ? -1 : scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1));
      window[i] = -1;
    }
    if (cur >= 0 && t === windows[cur]!.end) {
      prevRight = i;
      prevWidth = edges[cur]!.right - edges[cur]!.left + 1;
      cur = -1;
    }
  }

  const scorable = new Uint8Array(windows.length);
  for (let i = firstScored; i < n; i++) if (window[i]! >= 0) scorable[window[i]!] = 1;
  return { length: n, firstScored, window, sigmoid, windowCount: windows.length, scorable };
}

function firstIndex(timestamps: ArrayLike<number>, t: number): number {
  for (let i = 0; i < timestamps.length; i++) if (timestamps[i] === t) return i;
  throw new Error(`window bound ${new Date(t).toISOString()} is not the timestamp of any record (NAB requires an exact match)`);
}
