import { listCases, readCase } from './case-files.js';
import { rankRootCauses, type RcaOptions } from './rank.js';
import { accuracyAtK, averageAtK, hitAtK, type RankedCase } from './scoring.js';

export interface EvaluatedCase extends RankedCase {
  dir: string;
  /** Where the signals came from (alerts.json or detection on series/). */
  from: 'alerts' | 'series';
  signals: number;
  /** 1-based position of the true root cause in the ranking, or 0 when absent. */
  position: number;
}

export interface Evaluation {
  cases: EvaluatedCase[];
  /** Folders that could not be read, with the reason. */
  errors: Array<{ dir: string; error: string }>;
  acAt1: number;
  acAt3: number;
  acAt5: number;
  avgAt5: number;
}

/** Ranks every stored case under dir and scores the rankings against the true root causes. */
export function evaluateCases(dir: string, opts: { from?: 'auto' | 'alerts' | 'series'; rca?: Partial<RcaOptions> } = {}): Evaluation {
  const cases: EvaluatedCase[] = [];
  const errors: Evaluation['errors'] = [];
  for (const caseDir of listCases(dir)) {
    try {
      const c = readCase(caseDir, opts.from ?? 'auto');
      const ranking = rankRootCauses(c.graph, c.signals, opts.rca).map((r) => r.service);
      const ranked: RankedCase = { id: caseDir, truth: c.truth.service, ranking };
      cases.push({ ...ranked, dir: caseDir, from: c.from, signals: c.signals.length, position: ranking.indexOf(c.truth.service) + 1 });
    } catch (e) {
      errors.push({ dir: caseDir, error: (e as Error).message });
    }
  }
  return { cases, errors, acAt1: accuracyAtK(cases, 1), acAt3: accuracyAtK(cases, 3), acAt5: accuracyAtK(cases, 5), avgAt5: averageAtK(cases, 5) };
}

export { hitAtK };
