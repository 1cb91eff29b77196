import type { Labels } from './labels.js';
import type { Severity } from './severity.js';

/**
 * Events passed along the pipeline: detect -> alerting -> incidents -> notify/remediate.
 * Each is plain data (JSON-serialisable) so it can cross a process or a NATS subject.
 */

export interface AnomalyExplanation {
  /** What the detector expected at this time. */
  expected: number;
  /** The band of normal values around `expected`. */
  lower: number;
  upper: number;
  /** Which detector component fired (e.g. "seasonal", "robust", "changepoint", "iforest"). */
  component: string;
  direction: 'above' | 'below' | 'none';
}

export interface AnomalyEvent {
  kind: 'anomaly';
  id: string;
  seriesHash: string;
  labels: Labels;
  /** Time of the sample that opened the episode, ms. */
  t: number;
  value: number;
  /** Calibrated anomaly score in [0,1]. */
  score: number;
  severity: Severity;
  explanation: AnomalyExplanation;
}

export type AlertState = 'inactive' | 'pending' | 'firing' | 'resolved';

export interface AlertEvent {
  kind: 'alert';
  /** Stable identity of the alert: rule plus label set. */
  fingerprint: string;
  /** Where it came from: a Vigil rule name, or "alertmanager". */
  source: string;
  state: AlertState;
  severity: Severity;
  labels: Labels;
  annotations: Readonly<Record<string, string>>;
  startsAt: number;
  endsAt?: number;
  value?: number;
  /** The Vigil rule that raised it (absent for alerts received from elsewhere). */
  rule?: string;
  /** When the rule's condition became true (pending since); `startsAt` is when it started firing. */
  activeAt?: number;
  /** Acknowledgement: who, when (ms), and their comment. The alert stays firing. */
  ackedBy?: string;
  ackedAt?: number;
  ackComment?: string;
  /** Resolution by hand: who, and their note (`endsAt` is when). */
  resolvedBy?: string;
  resolveNote?: string;
  /** Held firing by flapping damping. */
  flapping?: boolean;
}

export type IncidentState = 'open' | 'acknowledged' | 'mitigated' | 'resolved';

export interface IncidentEvent {
  kind: 'incident';
  id: string;
  state: IncidentState;
  severity: Severity;
  title: string;
  services: string[];
  openedAt: number;
  updatedAt: number;
  memberFingerprints: string[];
}

/**
 * A predictive-scaling recommendation for a workload series changed (forecast
 * stage): what an automation (autoscaler hook, runbook) can act on.
 */
export interface ScalingEvent {
  kind: 'scaling';
  id: string;
  /** The scaling entry (config `forecast.scaling[].name`). */
  name: string;
  seriesHash: string;
  labels: Labels;
  /** When it was computed, ms. */
  t: number;
  action: 'SCALE_SOON' | 'SCALE_DOWN' | 'HOLD';
  /** Predicted peak within the horizon, when (ms), and as a share of current capacity. */
  predictedPeak: number;
  peakAt: number;
  peakUtilization: number;
  /** Capacity change that brings the peak to the target utilisation, percent. */
  scaleByPercent: number;
  currentReplicas?: number;
  recommendedReplicas?: number;
  reason: string;
  /** The forecasting model behind it. */
  model: string;
}

export type PipelineEvent = AnomalyEvent | AlertEvent | IncidentEvent | ScalingEvent;
