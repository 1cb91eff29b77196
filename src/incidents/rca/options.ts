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
  /** Share of the final score that depends on onset: factor (1 - w) + w * exp(-lateness / (maxHopLags * lag)). */
  onsetWeight: number;
  /** Exponent on a service's own anomaly strength in the final score. */
  strengthExponent: number;
  /** Anomaly assumed for services without signals, so a silent common dependency can still rank. */
  silentAnomaly: number;
  /** Floor of the incident's typical hop lag (estimated from the onsets), ms. */
  minLagMs: number;
  /** A dependency may go anomalous this many hop lags after its dependant and still be the cause (same scrape, detection jitter). */
  lateTolerance: number;
  /** A dependency that went anomalous more than this many hop lags before its dependant explains it less and less. */
  maxHopLags: number;
  /** Weight of a traffic anomaly as evidence that the service is a cause (see ServiceEvidence.cause). */
  trafficAsCause: number;
  /** Signals weaker than this are ignored. */
  minScore: number;
  /** Multiplier per metric type: saturation and errors tend to sit at the cause, latency everywhere. */
  kindWeights: Record<SignalKind, number>;
  /** How many of the walk's leaders are re-weighed by coverage (how much of the incident they explain). */
  rerankTop: number;
  /** Exponent on coverage in the final score. */
  coverageExponent: number;
  maxCandidates: number;
  /** Hops searched when collecting upstream/downstream evidence and the path. */
  evidenceHops: number;
  /**
   * The service whose problem is being explained (an SLO violation, say): only it and what it
   * depends on, transitively, can be the cause, and only their signals are used.
   */
  target?: string;
  /**
   * With a target: when its problem was detected, unix ms. A cause shows before the problem it
   * causes, so lateness is measured from here when that is earlier than the incident's own clock.
   */
  targetAt?: number;
  /** With a target: share of the walk's restarts at the target rather than at anomalous services. */
  targetRestart: number;
  /**
   * Prior per service type, multiplying a candidate's score (types not listed: 1). For fleets
   * where some types are seen only through their callers (a load balancer or remote endpoint
   * recorded on the client side), whose anomaly is that of whatever lies behind them.
   */
  typePrior: Record<string, number>;
}

export const DEFAULT_RCA_OPTIONS: RcaOptions = {
  damping: 0.85,
  iterations: 40,
  backwardWeight: 0.2,
  onsetWeight: 0.5,
  strengthExponent: 1,
  silentAnomaly: 0.02,
  minLagMs: 20_000,
  lateTolerance: 0.5,
  maxHopLags: 4,
  trafficAsCause: 0.3,
  minScore: 0.05,
  kindWeights: { latency: 1, errors: 1, saturation: 1, traffic: 0.6, availability: 1, other: 0.8 },
  rerankTop: 20,
  coverageExponent: 2,
  maxCandidates: 10,
  evidenceHops: 6,
  targetRestart: 0.8,
  typePrior: {},
};
