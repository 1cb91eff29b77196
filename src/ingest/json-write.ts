import { VigilError } from '../core/errors.js';
import { STALE_NAN } from '../core/sample.js';
import type { SeriesWrite } from '../store/types.js';
import { type IngestLimits, validateLabels } from './limits.js';

/**
 * Vigil's JSON write format (`POST /api/v1/samples`):
 *
 *   { "series": [ { "labels": { "__name__": "cpu", "host": "a" },
 *                   "samples": [ [1700000000000, 0.42], [1700000015000, "NaN"] ] } ] }
 *
 * Timestamps are integer milliseconds. JSON has no NaN or infinities, so values may
 * also be the strings Prometheus uses: "NaN", "+Inf", "-Inf" (and "stale" for the
 * staleness marker). The whole request is validated before anything is stored, so a
 * 400 never leaves half a request behind.
 */
export function decodeJsonWrite(body: unknown, limits: IngestLimits): SeriesWrite[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad('body', 'expected a JSON object with a "series" array');
  const series = (body as { series?: unknown }).series;
  if (!Array.isArray(series)) throw bad('series', 'expected an array');
  if (series.length > limits.maxSeriesPerRequest)
    throw new VigilError('TOO_MANY_SERIES', `series: ${series.length} series in one request, over the limit of ${limits.maxSeriesPerRequest}`, 413);
  const out: SeriesWrite[] = [];
  let total = 0;
  for (let i = 0; i < series.length; i++) {
    const where = `series[${i}]`;
    const s = series[i] as { labels?: unknown; samples?: unknown };
    if (s === null || typeof s !== 'object') throw bad(where, 'expected an object with "labels" and "samples"');
    const labels = s.labels;
    if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) throw bad(`${where}.labels`, 'expected an object of label name to string value');
    validateLabels(labels as Record<string, string>, limits, `${where}.labels`);
    const samples = s.samples;
    if (!Array.isArray(samples)) throw bad(`${where}.samples`, 'expected an array of [timestamp_ms, value] pairs');
    total += samples.length;
    if (total > limits.maxSamplesPerRequest)
      throw new VigilError('TOO_MANY_SAMPLES', `series: more than ${limits.maxSamplesPerRequest} samples in one request`, 413);
    const timestamps = new Float64Array(samples.length);
    const values = new Float64Array(samples.length);
    for (let j = 0; j < samples.length; j++) {
      const p = samples[j] as unknown;
      const at = `${where}.samples[${j}]`;
      if (!Array.isArray(p) || p.length !== 2) throw bad(at, 'expected a [timestamp_ms, value] pair');
      const t = p[0];
      if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0) throw bad(`${at}[0]`, `timestamp must be a non-negative integer of milliseconds, got ${JSON.stringify(t)}`);
      timestamps[j] = t;
      values[j] = parseValue(p[1], `${at}[1]`);
    }
    out.push({ labels: labels as Record<string, string>, timestamps, values });
  }
  return out;
}

export function parseValue(v: unknown, at: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    switch (v) {
      case 'NaN':
        return NaN;
      case '+Inf':
      case 'Inf':
        return Infinity;
      case '-Inf':
        return -Infinity;
      case 'stale':
        return STALE_NAN;
    }
    const n = Number(v);
    if (v.trim() !== '' && !Number.isNaN(n)) return n;
  }
  throw bad(at, `value must be a number or one of "NaN", "+Inf", "-Inf", "stale"; got ${JSON.stringify(v)}`);
}

function bad(where: string, problem: string): VigilError {
  return new VigilError('INVALID_WRITE', `${where}: ${problem}`, 400);
}
