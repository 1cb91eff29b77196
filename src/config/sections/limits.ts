import type { z } from 'zod';
import { count, duration, section } from '../fields.js';

/**
 * Cardinality and request-size guards. `maxSeries` bounds the store; the rest
 * bound each ingest request and series (the ingest layer's IngestLimits).
 */
export const limitsSchema = section({
  maxSeries: count(1).default(1_000_000),
  maxLabelsPerSeries: count(1).default(30),
  maxLabelNameLength: count(1).default(128),
  maxLabelValueLength: count(1).default(2048),
  maxSamplesPerRequest: count(1).default(100_000),
  maxSeriesPerRequest: count(1).default(50_000),
  // Metric families whose metadata (type, help, unit) is kept; metadata of further families is refused.
  maxMetadataFamilies: count(1).default(100_000),
  // Sample age window, against the wall clock: older samples are refused as too_old (0 = no limit
  // beyond the store's retention), samples further ahead as too_far_in_future (0 = no limit).
  maxSampleAge: duration().prefault('0s'),
  maxFutureSkew: duration().prefault('10m'),
}).transform((l) => {
  const { maxSampleAge, maxFutureSkew, ...rest } = l;
  return { ...rest, maxSampleAgeMs: maxSampleAge, maxFutureSkewMs: maxFutureSkew };
});

export type LimitsConfig = z.output<typeof limitsSchema>;
