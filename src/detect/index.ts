// Public API of Vigil's streaming anomaly detection.
export { COMPONENTS, ExplanationSlot, type ComponentName, type ScoredRow } from './types.js';
export { Layout } from './layout.js';
export { RobustTracker, type RobustConfig } from './robust.js';
export { SeasonalBaseline, type SeasonalConfig } from './seasonal.js';
export { ChangePointDetector, type ChangePointConfig } from './changepoint.js';
export { AnomalyLikelihood, type LikelihoodConfig } from './likelihood.js';
export {
  UnivariateEnsemble, DEFAULT_ENSEMBLE_CONFIG, mergeConfig, surprise, type EnsembleConfig, type PartialConfig,
} from './ensemble.js';
export { ContextNovelty, type NoveltyConfig } from './novelty.js';
export { IsolationForestDetector, DEFAULT_IFOREST_CONFIG, type IsolationForestConfig, type IsolationResult, type IsolationForestSnapshot } from './iforest.js';
export { SeriesDetector, stateToBytes, stateFromBytes, stateToJson, stateFromJson, type StateSnapshot } from './series.js';
export {
  scoreSeries, scoreTable, parseCsv, parseTime, tableScoreToCsv, TableError,
  type ParsedCsv, type ScoreOptions, type SeriesScore, type TableScore, type RowExplanation,
} from './table.js';
