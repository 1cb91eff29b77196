import type { Labels } from '../core/labels.js';
import { parseSelector } from '../core/matchers.js';
import { isStaleMarker } from '../core/sample.js';
import { compare } from '../alerting/rules/conditions.js';
import type { ComparisonOp } from '../alerting/rules/types.js';
import type { SampleStore } from '../store/types.js';
import { renderTemplate } from './template.js';
import type { TemplateVars } from './types.js';

/**
 * A metric condition over the store, for verification ("error rate back under
 * 1% within 5 minutes") and metric-based triggers: the selector's series
 * (templated: `{service="{{ service }}"}`), each reduced over a window, compared
 * with a value; `all` series must satisfy it, or `any`. No series at all never
 * holds: a verification must not pass because the metric vanished.
 */

export interface MetricCondition {
  query: string;
  overMs: number;
  fn: 'avg' | 'max' | 'min' | 'last';
  match: 'all' | 'any';
  op: ComparisonOp;
  value: number;
}

export interface ConditionResult {
  holds: boolean;
  /** Each series' reduced value and whether it satisfied the comparison. */
  series: Array<{ labels: Labels; value: number; ok: boolean }>;
  /** One line: why it holds or not. */
  reason: string;
}

/** Without a window, the latest sample within this lookback counts (as Prometheus's 5 minutes). */
export const LATEST_LOOKBACK_MS = 5 * 60_000;

function reduce(fn: MetricCondition['fn'], values: Float64Array): number {
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let last = NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v) || isStaleMarker(v)) continue;
    n++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    last = v;
  }
  if (n === 0) return NaN;
  return fn === 'avg' ? sum / n : fn === 'max' ? max : fn === 'min' ? min : last;
}

export function evaluateCondition(store: SampleStore, c: MetricCondition, vars: TemplateVars, now: number): ConditionResult {
  const query = renderTemplate(c.query, vars);
  const matchers = parseSelector(query);
  const window = c.fn === 'last' || c.overMs === 0 ? LATEST_LOOKBACK_MS : c.overMs;
  const series: ConditionResult['series'] = [];
  for (const s of store.read(matchers, now - window + 1, now)) {
    const value = reduce(c.overMs === 0 ? 'last' : c.fn, s.values);
    if (Number.isNaN(value)) continue;
    series.push({ labels: s.labels, value, ok: compare(c.op, value, c.value) });
  }
  if (series.length === 0) return { holds: false, series, reason: `no samples for ${query} in the last ${Math.round(window / 1000)} s` };
  const okCount = series.filter((s) => s.ok).length;
  const holds = c.match === 'all' ? okCount === series.length : okCount > 0;
  const shown = series
    .slice(0, 3)
    .map((s) => +s.value.toPrecision(4))
    .join(', ');
  return { holds, series, reason: `${query} ${c.fn}${c.overMs ? ` over ${Math.round(c.overMs / 1000)} s` : ''} = ${shown}${series.length > 3 ? ', ...' : ''}: ${okCount} of ${series.length} ${c.op} ${c.value}` };
}
