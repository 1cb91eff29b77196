import { VigilError } from '../core/errors.js';
import { type CompiledMatcher, parseSelector } from '../core/matchers.js';

/**
 * Query parameters in the Prometheus HTTP API's conventions, so Grafana and
 * promtool-style clients can talk to Vigil unchanged.
 */

/** A time as the Prometheus API accepts it: unix seconds (may be fractional) or RFC 3339. Returns ms. */
export function parseTimeParam(v: unknown, name: string, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  if (typeof v !== 'string') throw badParam(name, 'expected a single value');
  const n = Number(v);
  if (Number.isFinite(n)) return Math.round(n * 1000);
  const d = Date.parse(v);
  if (!Number.isNaN(d) && /^\d{4}-\d\d-\d\dT/.test(v)) return d;
  throw badParam(name, `cannot parse ${JSON.stringify(v)} as unix seconds or an RFC 3339 time`);
}

/** `match[]` may appear once (a string) or several times (an array); each is a series selector. */
export function parseMatchParams(v: unknown, required: boolean): CompiledMatcher[][] {
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  if (list.length === 0 && required) throw badParam('match[]', 'at least one series selector is required');
  return list.map((s) => {
    if (typeof s !== 'string') throw badParam('match[]', 'expected a string');
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

/** A 400 naming the parameter or field and the problem. */
export function badParam(name: string, problem: string): VigilError {
  return new VigilError('BAD_PARAM', `${name}: ${problem}`, 400);
}

/** An integer query parameter within [min, max]; `fallback` when absent. */
export function integerParam(v: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw badParam(name, `expected an integer from ${min} to ${max}`);
  return n;
}

/** A JSON request body that must be an object. */
export function jsonBody(b: unknown): Record<string, unknown> {
  if (b === null || typeof b !== 'object' || Array.isArray(b)) throw badParam('body', 'expected a JSON object');
  return b as Record<string, unknown>;
}

/** A required, non-empty string field of a JSON body, at most `maxLength` characters. */
export function requiredString(v: unknown, field: string, maxLength = Infinity): string {
  if (typeof v !== 'string' || v.trim() === '') throw badParam(field, 'a non-empty string is required');
  if (v.length > maxLength) throw badParam(field, `at most ${maxLength} characters`);
  return v;
}
