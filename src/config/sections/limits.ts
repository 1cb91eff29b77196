import type { z } from 'zod';
import { count, section } from '../fields.js';

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
});

export type LimitsConfig = z.output<typeof limitsSchema>;
