import type { IncidentState, Labels, Severity } from '../core/index.js';
import type { RootCauseCandidate } from './rca/rank.js';

/**
 * The incident model: plain data (JSON-serialisable), persisted as one
 * document per incident by the incident store.
 */

export type { IncidentState } from '../core/index.js';
export const INCIDENT_STATES = ['open', 'acknowledged', 'mitigated', 'resolved'] as const;

export const INCIDENT_TYPES = [
  'resource_exhaustion',
  'deployment_regression',
  'dependency_failure',
  'traffic_surge',
  'data_pipeline_failure',
  'network',
] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

/** What a member's metric measures (the RCA stage's `kind`). */
export type SymptomKind = 'latency' | 'errors' | 'saturation' | 'traffic' | 'availability' | 'other';

/** One alert or anomaly event that joined an incident. */
export interface IncidentMember {
  /** `alert:<fingerprint>` or `anomaly:<event id>`: unique within Vigil. */
  id: string;
  kind: 'alert' | 'anomaly';
  /** The alert's fingerprint or the anomaly event's id. */
  ref: string;
  /** Service the event is about (labels `service`, `job`, ...), when known. */
  service?: string;
  /** Metric name (anomalies) or alert name (alerts). */
  metric: string;
  symptom: SymptomKind;
  labels: Labels;
  severity: Severity;
  /** Strength in [0, 1]: the anomaly score, or the alert's severity mapped to a score. */
  score: number;
  /** Onset, unix ms: when the alert's condition became true, or the anomaly's first sample. */
  t: number;
  /** Alerts: firing until their resolution arrives. Anomalies are point events ("firing" until the window passes). */
  state: 'firing' | 'resolved';
  endedAt?: number;
  /** Above/below normal, when the source says (anomalies). */
  direction?: 'above' | 'below' | 'none';
  /** One line for the timeline. */
  text: string;
}

/** `action`: a remediation decided or run for this incident (the remediation stage writes it). */
export type TimelineKind = 'opened' | 'joined' | 'member_resolved' | 'state' | 'severity' | 'merged' | 'split' | 'root_cause' | 'note' | 'action';

export interface TimelineEntry {
  t: number;
  kind: TimelineKind;
  text: string;
  memberId?: string;
  by?: string;
}

/** A person's label: the true root cause (and optionally the type and severity), for ranking priors and training. */
export interface RootCauseLabel {
  service: string;
  metric?: string;
  type?: IncidentType;
  severity?: Severity;
  by: string;
  at: number;
  note?: string;
}

export interface Classification {
  type: IncidentType;
  typeConfidence: number;
  severity: Severity;
  severityConfidence: number;
  /** `forest` once enough labelled incidents exist, else `rules`. */
  method: 'forest' | 'rules';
  /** Labelled incidents the forest was trained on (0 for rules). */
  trainedOn: number;
  /** Probability of each type (forest), or 1 for the rule's choice. */
  typeScores: Partial<Record<IncidentType, number>>;
}

export interface Incident {
  id: string;
  state: IncidentState;
  severity: Severity;
  title: string;
  summary: string;
  /** Affected services, in order of first appearance. */
  services: string[];
  openedAt: number;
  updatedAt: number;
  /** Onset of the latest member: the correlation window runs from here. */
  lastEventAt: number;
  ack?: { by: string; at: number; comment?: string };
  mitigatedAt?: number;
  resolution?: { by: string; at: number; note: string };
  members: IncidentMember[];
  timeline: TimelineEntry[];
  rootCauses: RootCauseCandidate[];
  label?: RootCauseLabel;
  classification?: Classification;
  /** Set when merged into another incident (this one is then resolved). */
  mergedInto?: string;
  /** Incident-level notifications sent so far: the severity last paged for (absent: never paged). */
  notified?: {
    severity: Severity;
    at: number;
    acknowledged?: boolean;
    resolved?: boolean;
    /** Services whose firing alerts the notifications named (absent on incidents notified before it was kept). */
    services?: string[];
  };
}

/** A past incident like this one, with what fixed it. */
export interface SimilarIncident {
  id: string;
  score: number;
  title: string;
  resolvedAt?: number;
  resolutionNote?: string;
  rootCause?: string;
  type?: IncidentType;
  /** The features both share (services, metrics, symptoms, root cause). */
  shared: string[];
}

export function isIncidentType(v: unknown): v is IncidentType {
  return typeof v === 'string' && (INCIDENT_TYPES as readonly string[]).includes(v);
}
