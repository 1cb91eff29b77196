export { DetectionStage, ANOMALY_SCORE_METRIC, type DetectionOptions, type AnomalyListener } from './detection-stage.js';
export { DetectorStateStore } from './state-store.js';
export { DetectionWorker } from './detection-worker.js';
export { DetectionPool } from './detection-pool.js';
export type { Detection } from './detection.js';
export { HostForests } from './host-forests.js';
export { stepEpisode, newEpisode, type EpisodeState } from './episode.js';
export { isCumulative, counterRate } from './counter-rate.js';
