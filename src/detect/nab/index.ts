// Public API of the NAB (v1.1) scorer.
export * from './types.js';
export { loadNabCorpus, type NabCorpus, type NabDataFile } from './corpus.js';
export { parseProfiles, loadProfiles } from './profiles.js';
export { nabDir, sharedDir } from './paths.js';
export { parseNabTimestamp, formatNabTimestamp } from './timestamps.js';
export { scaledSigmoid, MAX_TP } from './sigmoid.js';
export { labelFile, probationaryLength, type LabelledFile } from './label.js';
export { tpValue, fpValue } from './values.js';
export { scoreFile, nullScore, perfectScore, normalizedScore } from './scorer.js';
export { buildSweepTable, sweepThreshold, type SweepTable, type SweepResult } from './sweep.js';
export {
  resultFilePath, readResultFile, writeResultFile, windowLabels, readDetectorResults, writeDetectorResults,
  type ResultRows,
} from './results-io.js';
export { scoreAnomalyScores, scoreDetectorResults, type FileResult, type ProfileResult } from './benchmark.js';
