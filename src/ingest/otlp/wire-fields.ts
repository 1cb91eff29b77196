import { type ProtoReader, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, malformed } from '../remote-write/proto-reader.js';
import { wireTypeError } from './wire-attributes.js';

/**
 * Field tables of the OTLP metrics messages for the wire decoder: which fields it reads
 * and with which wire type, so a field it reads with another wire type is reported as
 * malformed (by name) while every other field, known or not, is skipped.
 */

/** A message's fields that Vigil reads, with their wire types: such a field with another wire type is malformed. */
export interface KnownFields {
  name: string;
  fields: Record<number, [field: string, wireType: number]>;
}

export const REQUEST: KnownFields = { name: 'ExportMetricsServiceRequest', fields: { 1: ['resource_metrics', WIRE_LEN] } };
export const RESOURCE_METRICS: KnownFields = { name: 'ResourceMetrics', fields: { 1: ['resource', WIRE_LEN], 2: ['scope_metrics', WIRE_LEN] } };
export const SCOPE_METRICS: KnownFields = { name: 'ScopeMetrics', fields: { 1: ['scope', WIRE_LEN], 2: ['metrics', WIRE_LEN] } };
export const SCOPE: KnownFields = { name: 'InstrumentationScope', fields: { 1: ['name', WIRE_LEN], 2: ['version', WIRE_LEN] } };
export const METRIC: KnownFields = { name: 'Metric', fields: {} };
/** Metric's name and data members by field number, for messages (the data oneof is checked by the decoder). */
export const METRIC_FIELDS: Record<number, string> = { 1: 'name', 5: 'gauge', 7: 'sum', 9: 'histogram', 10: 'exponential_histogram', 11: 'summary' };
/** The data members of Metric (Gauge, Sum, Histogram, ExponentialHistogram, Summary) by field number in Metric. */
export const DATA_FIELDS: Record<number, KnownFields> = {
  5: { name: 'Gauge', fields: { 1: ['data_points', WIRE_LEN] } },
  7: { name: 'Sum', fields: { 1: ['data_points', WIRE_LEN], 2: ['aggregation_temporality', WIRE_VARINT], 3: ['is_monotonic', WIRE_VARINT] } },
  9: { name: 'Histogram', fields: { 1: ['data_points', WIRE_LEN], 2: ['aggregation_temporality', WIRE_VARINT] } },
  10: { name: 'ExponentialHistogram', fields: { 1: ['data_points', WIRE_LEN], 2: ['aggregation_temporality', WIRE_VARINT] } },
  11: { name: 'Summary', fields: { 1: ['data_points', WIRE_LEN] } },
};
export const NUMBER_POINT: KnownFields = {
  name: 'NumberDataPoint',
  fields: { 3: ['time_unix_nano', WIRE_FIXED64], 4: ['as_double', WIRE_FIXED64], 6: ['as_int', WIRE_FIXED64], 7: ['attributes', WIRE_LEN], 8: ['flags', WIRE_VARINT] },
};
export const HISTOGRAM_POINT: KnownFields = {
  name: 'HistogramDataPoint',
  fields: { 3: ['time_unix_nano', WIRE_FIXED64], 4: ['count', WIRE_FIXED64], 5: ['sum', WIRE_FIXED64], 9: ['attributes', WIRE_LEN], 10: ['flags', WIRE_VARINT] },
};
export const SUMMARY_POINT: KnownFields = {
  name: 'SummaryDataPoint',
  fields: { 3: ['time_unix_nano', WIRE_FIXED64], 4: ['count', WIRE_FIXED64], 5: ['sum', WIRE_FIXED64], 6: ['quantile_values', WIRE_LEN], 7: ['attributes', WIRE_LEN], 8: ['flags', WIRE_VARINT] },
};
export const EXPONENTIAL_POINT: KnownFields = {
  name: 'ExponentialHistogramDataPoint',
  fields: {
    1: ['attributes', WIRE_LEN],
    3: ['time_unix_nano', WIRE_FIXED64],
    4: ['count', WIRE_FIXED64],
    5: ['sum', WIRE_FIXED64],
    6: ['scale', WIRE_VARINT],
    7: ['zero_count', WIRE_FIXED64],
    8: ['positive', WIRE_LEN],
    9: ['negative', WIRE_LEN],
    10: ['flags', WIRE_VARINT],
    14: ['zero_threshold', WIRE_FIXED64],
  },
};
export const BUCKETS: KnownFields = { name: 'Buckets', fields: { 1: ['offset', WIRE_VARINT], 2: ['bucket_counts', WIRE_LEN] } };
export const VALUE_AT_QUANTILE: KnownFields = { name: 'ValueAtQuantile', fields: { 1: ['quantile', WIRE_FIXED64], 2: ['value', WIRE_FIXED64] } };

/** A field the caller did not handle: a known field with the wrong wire type or field number 0 is malformed; anything else is skipped. */
export function otherField(r: ProtoReader, tag: number, known: KnownFields): void {
  const field = tag >>> 3;
  const wt = tag & 7;
  if (field === 0) throw malformed(`${known.name}: field number 0`);
  const f = known.fields[field];
  if (f !== undefined && f[1] !== wt) throw wireTypeError(`${known.name}.${f[0]}`, wt, f[1]);
  r.skip(wt, field);
}

/** End of a packed run of 8-byte values (a length that is not a multiple of 8 is malformed). */
export function packedEnd(r: ProtoReader, what: string): number {
  const e = r.lengthEnd(what);
  if ((e - r.pos) % 8 !== 0) throw malformed(`${what}: packed length ${e - r.pos} is not a multiple of 8`);
  return e;
}
