import { type Labels, METRIC_NAME, isValidLabelName, isValidMetricName } from '../core/labels.js';
import { VigilError } from '../core/errors.js';

/** Per-request and per-series limits every ingest protocol enforces. All are configurable. */
export interface IngestLimits {
  maxLabelsPerSeries: number;
  maxLabelNameLength: number;
  maxLabelValueLength: number;
  maxSamplesPerRequest: number;
  maxSeriesPerRequest: number;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  maxLabelsPerSeries: 30,
  maxLabelNameLength: 128,
  maxLabelValueLength: 2048,
  maxSamplesPerRequest: 100_000,
  maxSeriesPerRequest: 50_000,
};

/**
 * Checks one series' label set as Prometheus does (a metric name is required and
 * must match the metric-name grammar; label names the label grammar; values valid
 * UTF-8, which JS strings from JSON/protobuf already are) plus Vigil's size limits.
 * Throws a VigilError whose message starts with `where`, so clients see which series failed.
 */
export function validateLabels(labels: Labels, limits: IngestLimits, where: string): void {
  const name = labels[METRIC_NAME];
  if (name === undefined || name === '') throw bad(where, `missing metric name (label ${METRIC_NAME})`);
  if (!isValidMetricName(name)) throw bad(where, `invalid metric name ${JSON.stringify(clip(name))}`);
  let count = 0;
  for (const ln in labels) {
    const lv = labels[ln]!;
    count++;
    if (typeof lv !== 'string') throw bad(`${where}.${ln}`, 'label value must be a string');
    if (ln.length > limits.maxLabelNameLength)
      throw bad(where, `label name ${JSON.stringify(clip(ln))} is ${ln.length} characters, over the limit of ${limits.maxLabelNameLength}`);
    if (!isValidLabelName(ln) && ln !== METRIC_NAME) throw bad(where, `invalid label name ${JSON.stringify(clip(ln))}`);
    if (ln.startsWith('__') && ln !== METRIC_NAME) throw bad(where, `label name ${JSON.stringify(ln)} is reserved (names starting with "__" are internal)`);
    if (lv.length > limits.maxLabelValueLength)
      throw bad(`${where}.${ln}`, `label value is ${lv.length} characters, over the limit of ${limits.maxLabelValueLength}`);
  }
  if (count > limits.maxLabelsPerSeries) throw bad(where, `${count} labels, over the limit of ${limits.maxLabelsPerSeries}`);
}

function clip(s: string): string {
  return s.length > 64 ? s.slice(0, 61) + '...' : s;
}

function bad(where: string, problem: string): VigilError {
  return new VigilError('INVALID_SERIES', `${where}: ${problem}`, 400);
}
