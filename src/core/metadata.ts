/**
 * Metric metadata as Prometheus keeps it: per metric family, its type, help text
 * and unit. Senders say it (remote write's MetricMetadata, an exposition's TYPE,
 * HELP and UNIT lines, an OTLP metric's kind, description and unit); Vigil keeps
 * it and serves it as Prometheus's `/api/v1/metadata` does.
 */

/** The types, in the order of remote write's `MetricMetadata.MetricType` enum (the index is the wire value). */
export const METRIC_TYPES = ['unknown', 'counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset'] as const;

export type MetricType = (typeof METRIC_TYPES)[number];

export interface MetricMetadata {
  type: MetricType;
  help: string;
  unit: string;
}

/** One family's metadata as a sender gave it. */
export interface FamilyMetadata extends MetricMetadata {
  family: string;
}

/** A type as an exposition or the wire spells it; anything unknown (and the 0.0.4 format's `untyped`) is `unknown`, as in Prometheus. */
export function metricTypeOf(s: string | number): MetricType {
  if (typeof s === 'number') return METRIC_TYPES[s] ?? 'unknown';
  return (METRIC_TYPES as readonly string[]).includes(s) ? (s as MetricType) : 'unknown';
}
