/**
 * RCAEval's accuracy metrics. AC@k: the share of cases whose true root cause is among the first
 * k ranked; Avg@k: the mean of AC@1..AC@k. A case with several true causes counts as a hit when
 * any of them is in the top k.
 */

export interface RankedCase {
  id: string;
  truth: string | string[];
  /** Best first. */
  ranking: string[];
}

export function hitAtK(c: RankedCase, k: number): boolean {
  const truths = Array.isArray(c.truth) ? c.truth : [c.truth];
  return c.ranking.slice(0, k).some((r) => truths.includes(r));
}

export function accuracyAtK(cases: readonly RankedCase[], k: number): number {
  if (cases.length === 0) return NaN;
  return cases.filter((c) => hitAtK(c, k)).length / cases.length;
}

export function averageAtK(cases: readonly RankedCase[], k: number): number {
  let sum = 0;
  for (let j = 1; j <= k; j++) sum += accuracyAtK(cases, j);
  return sum / k;
}
