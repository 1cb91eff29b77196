import { VigilError } from '../core/errors.js';
import { type CompiledMatcher, parseSelector } from '../core/matchers.js';

/**
 * Query parameters in the Prometheus HTTP API's conventions, so Grafana and
 * promtool-style clients can talk to Vigil unchanged.
 */

/** A time as the Prometheus API accepts it: unix seconds (may be fractional) or RFC 3339. Returns ms. */
export function parseTimeParam(v: unknown, name: string, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  if (typeof v !== 'string') throw bad(name, 'expected a single value');
  const n = Number(v);
  if (Number.isFinite(n)) return Math.round(n * 1000);
  const d = Date.parse(v);
  if (!Number.isNaN(d) && /^\d{4}-\d\d-\d\dT/.test(v)) return d;
  throw bad(name, `cannot parse ${JSON.stringify(v)} as unix seconds or an RFC 3339 time`);
}

/** `match[]` may appear once (a string) or several times (an array); each is a series selector. */
export function parseMatchParams(v: unknown, required: boolean): CompiledMatcher[][] {
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  if (list.length === 0 && required) throw bad('match[]', 'at least one series selector is required');
  return list.map((s) => {
    if (typeof s !== 'string') throw bad('match[]', 'expected a string');
    return parseSelector(s);
  });
}

/** Prometheus renders sample values as strings so NaN and infinities survive JSON. */
export function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  return String(v);
}

function bad(name: string, problem: string): VigilError {
  return new VigilError('BAD_PARAM', `${name}: ${problem}`, 400);
}
