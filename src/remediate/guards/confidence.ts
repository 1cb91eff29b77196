/**
 * How sure Vigil is that running a rule's runbook now is right, in [0, 1]:
 * how well the trigger matched (the classifier's confidence in the incident
 * type the rule asks for), how sure the root-cause ranking is of the service
 * the runbook acts on (its share among the candidates), and how often this
 * rule's executions succeeded before (a Beta prior worth `PRIOR_RUNS` runs at
 * `PRIOR_SUCCESS`, so a new rule starts at 0.9 and one that keeps failing sinks).
 */
export const PRIOR_SUCCESS = 0.9;
export const PRIOR_RUNS = 5;

export interface ConfidenceInputs {
  matchQuality: number;
  rootCauseScore: number;
  successes: number;
  failures: number;
}

export interface Confidence {
  value: number;
  matchQuality: number;
  rootCauseScore: number;
  successRate: number;
}

export function successRate(successes: number, failures: number): number {
  return (successes + PRIOR_SUCCESS * PRIOR_RUNS) / (successes + failures + PRIOR_RUNS);
}

export function confidence(i: ConfidenceInputs): Confidence {
  const clamp = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
  const matchQuality = clamp(i.matchQuality);
  const rootCauseScore = clamp(i.rootCauseScore);
  const rate = successRate(i.successes, i.failures);
  // Geometric mean of the three: one weak factor pulls it down, none alone zeroes it unless it is 0.
  const value = Math.cbrt(matchQuality * rootCauseScore * rate);
  return { value, matchQuality, rootCauseScore, successRate: rate };
}
