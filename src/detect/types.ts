// Shared shapes of the streaming detectors.
import type { AnomalyExplanation } from '../core/events.js';

/** Names of the univariate ensemble's components, as reported in explanations. */
export const COMPONENTS = ['none', 'robust', 'seasonal', 'changepoint', 'range', 'novelty', 'iforest'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

/**
 * The explanation of the latest sample, written in place by the detectors so
 * the hot path allocates nothing; copy it (`toExplanation`) to keep it.
 */
export class ExplanationSlot {
  expected = NaN;
  lower = NaN;
  upper = NaN;
  /** Index into COMPONENTS. */
  component = 0;
  /** +1 above, -1 below, 0 none. */
  direction = 0;

  toExplanation(): AnomalyExplanation {
    return {
      expected: this.expected,
      lower: this.lower,
      upper: this.upper,
      component: COMPONENTS[this.component] ?? 'none',
      direction: this.direction > 0 ? 'above' : this.direction < 0 ? 'below' : 'none',
    };
  }
}

/** One scored sample, as returned by the offline scorers. */
export interface ScoredRow {
  /** Calibrated anomaly score in [0,1]. */
  score: number;
  /** score >= the configured alert threshold (after the consecutive-anomalies rule). */
  anomaly: boolean;
  explanation: AnomalyExplanation;
}
