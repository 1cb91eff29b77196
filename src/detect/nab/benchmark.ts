// A detector's NAB result: per profile, the swept threshold, the normalised
// and raw corpus totals, and each file's score at that threshold (NAB's *_scores.csv).
import type { NabCorpus } from './corpus.js';
import { labelFile } from './label.js';
import { readDetectorResults } from './results-io.js';
import { normalizedScore, scoreFile } from './scorer.js';
import { buildSweepTable, sweepThreshold } from './sweep.js';
import type { FileScore, ScoringInput } from './types.js';

export interface FileResult extends FileScore {
  /** Data path, as in NAB's score files: `realKnownCause/nyc_taxi.csv`. */
  readonly file: string;
  /** Records in the file, probationary ones included (NAB's Total_Count). */
  readonly total: number;
}

export interface ProfileResult {
  readonly threshold: number;
  /** Normalised: 0 = null detector, 100 = perfect. */
  readonly score: number;
  /** Sum of the per-file scores (NAB's Totals row). */
  readonly rawScore: number;
  readonly perFile: readonly FileResult[];
}

/** Scores a detector's anomaly scores (`scores[i]` for `corpus.files[i]`) under every profile. */
export function scoreAnomalyScores(corpus: NabCorpus, scores: readonly ArrayLike<number>[]): Record<string, ProfileResult> {
  if (scores.length !== corpus.files.length) throw new Error(`${scores.length} score arrays for ${corpus.files.length} files`);
  const inputs: ScoringInput[] = corpus.files.map((f, i) => ({ timestamps: f.timestamps, windows: f.windows, scores: scores[i]! }));
  const labelled = inputs.map((f) => labelFile(f.timestamps, f.windows));
  const table = buildSweepTable(inputs, undefined, labelled);
  const out: Record<string, ProfileResult> = {};
  for (const profile of corpus.profiles) {
    const { threshold } = sweepThreshold(table, profile);
    const perFile = inputs.map((input, i) => ({
      file: corpus.files[i]!.path,
      total: labelled[i]!.length,
      ...scoreFile(input, profile, threshold, labelled[i]),
    }));
    const rawScore = perFile.reduce((s, f) => s + f.score, 0);
    out[profile.name] = { threshold, score: normalizedScore(rawScore, profile, corpus.windowCount, table.windowCount), rawScore, perFile };
  }
  return out;
}

/** Scores `<resultsDir>/<detectorName>/...` result files, as NAB's runner does (optimise, score, normalise). */
export function scoreDetectorResults(resultsDir: string, detectorName: string, corpus: NabCorpus): Record<string, ProfileResult> {
  return scoreAnomalyScores(corpus, readDetectorResults(resultsDir, detectorName, corpus));
}
