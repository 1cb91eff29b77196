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

export function newEpisode(): EpisodeState {
  return { open: false, below: 0, peak: 0, startedAt: NaN };
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
