import type { RcaSignal } from './rank.js';

export type SignalKind = NonNullable<RcaSignal['kind']>;

/** Knobs of the root-cause ranking; one configuration serves every benchmark. */
export interface RcaOptions {
  /** Probability the walker follows an edge rather than jumping back to an anomalous service. */
  damping: number;
  /** Power-iteration steps (the walk converges well within this on service graphs). */
  iterations: number;
  /** Weight of stepping back to an anomalous dependant relative to stepping on to a dependency. */
  backwardWeight: number;
  /** How much an earlier onset multiplies the score: factor (1 + onsetWeight * earliness). */
  onsetWeight: number;
  /** Exponent on a service's own anomaly strength in the final score. */
  strengthExponent: number;
  /** Anomaly assumed for services without signals, so a silent common dependency can still rank. */
  silentAnomaly: number;
  /** Signals weaker than this are ignored. */
  minScore: number;
  /** Multiplier per metric type: saturation and errors tend to sit at the cause, latency everywhere. */
  kindWeights: Record<SignalKind, number>;
  maxCandidates: number;
  /** Hops searched when collecting upstream/downstream evidence and the path. */
  evidenceHops: number;
}

export const DEFAULT_RCA_OPTIONS: RcaOptions = {
  damping: 0.85,
  iterations: 40,
  backwardWeight: 0.2,
  onsetWeight: 1,
  strengthExponent: 1,
  silentAnomaly: 0.02,
  minScore: 0.05,
  kindWeights: { latency: 1, errors: 1, saturation: 1, traffic: 0.6, availability: 1, other: 0.8 },
  maxCandidates: 10,
  evidenceHops: 6,
};
