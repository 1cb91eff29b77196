/**
 * Hysteresis over a stream of scores: an episode opens when the score reaches
 * `threshold` and closes after `clearAfter` consecutive samples below
 * `threshold / 2`, so a noisy anomaly that hovers around the threshold is one
 * event, not many. Pure and tiny: state in a plain object.
 */
export interface EpisodeState {
  open: boolean;
  below: number;
  peak: number;
  startedAt: number;
}

/**
 * 0 as a double (-0 compares as 0): a field that later holds fractions starts in V8's
 * double representation, so objects made before the first fraction keep their shape.
 * Started as a small integer, the field changed representation at the first fraction,
 * and each of 10,000 series' objects then changed shape when next touched: while they
 * did, the detection worker's hot loop was thrown out of optimisation again and again.
 */
export const DOUBLE_ZERO = -0;

export function newEpisode(): EpisodeState {
  return { open: false, below: 0, peak: DOUBLE_ZERO, startedAt: NaN };
}

/** What a score did to the episode. */
export type EpisodeTransition = 'opened' | 'continued' | 'closed' | 'none';

export function stepEpisode(e: EpisodeState, t: number, score: number, threshold: number, clearAfter: number): EpisodeTransition {
  if (!e.open) {
    if (score < threshold) return 'none';
    e.open = true;
    e.below = 0;
    e.peak = score;
    e.startedAt = t;
    return 'opened';
  }
  if (score > e.peak) e.peak = score;
  if (score < threshold / 2) {
    if (++e.below >= clearAfter) {
      e.open = false;
      return 'closed';
    }
  } else e.below = 0;
  return 'continued';
}
