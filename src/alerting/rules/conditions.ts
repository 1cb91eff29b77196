import { METRIC_NAME, labelsKey, type Labels } from '../../core/labels.js';
import { isStaleMarker } from '../../core/sample.js';
import type { LabelMatcher } from '../../core/matchers.js';
import type { SampleStore } from '../../store/types.js';
import { fitLine, type ForecastProvider } from './forecast.js';
import type { AbsenceRule, AnomalyRule, ComparisonOp, Element, ForecastRule, Grouping, OverTimeFunction, RateOfChangeRule, ThresholdRule } from './types.js';

/**
 * The conditions of the data-driven rule types: each reads the store at `now`
 * and returns the label sets for which the condition is true now. Windows are
 * left-open, `(now - window, now]`, as Prometheus 3's range selectors.
 */

export interface ConditionContext {
  store: SampleStore;
  now: number;
  forecast: ForecastProvider;
}

/** One series' real samples in a window: stale markers removed. */
interface Points {
  labels: Labels;
  id: string;
  t: number[];
  v: number[];
}

export function thresholdCondition(rule: ThresholdRule, ctx: ConditionContext): Element[] {
  const perSeries: Element[] = [];
  if (rule.over) {
    for (const s of readPoints(ctx.store, rule.selector.matchers, ctx.now, rule.over.windowMs)) {
      if (s.v.length > 0) perSeries.push({ labels: withoutName(s.labels), value: overTime(rule.over.fn, s.v) });
    }
  } else {
    for (const d of ctx.store.read(rule.selector.matchers, ctx.now - rule.lookbackMs + 1, ctx.now)) {
      // Prometheus staleness: the latest sample in the lookback decides; a stale marker means "no value".
      const n = d.values.length;
      if (n === 0 || isStaleMarker(d.values[n - 1]!)) continue;
      perSeries.push({ labels: withoutName(d.labels), value: d.values[n - 1]! });
    }
  }
  return compareAll(rule.grouping ? aggregate(perSeries, rule.grouping) : perSeries, rule.op, rule.value);
}

export function anomalyCondition(rule: AnomalyRule, ctx: ConditionContext): Element[] {
  const out: Element[] = [];
  const within = rule.withinMs;
  for (const s of readPoints(ctx.store, rule.scoreMatchers, ctx.now, within === undefined ? rule.lookbackMs : Math.max(rule.lookbackMs, within))) {
    const n = s.v.length;
    if (n < rule.consecutive) continue;
    if (within === undefined) {
      let ok = true;
      for (let i = n - rule.consecutive; i < n && ok; i++) ok = s.v[i]! >= rule.level;
      if (ok) out.push({ labels: withoutName(s.labels), value: s.v[n - 1]! });
      continue;
    }
    // Any run of `consecutive` samples at or above the level that ended inside the window; value: the highest score in it.
    let run = 0;
    let best = -Infinity;
    for (let i = 0; i < n; i++) {
      run = s.v[i]! >= rule.level ? run + 1 : 0;
      if (run >= rule.consecutive && s.t[i]! > ctx.now - within) best = Math.max(best, s.v[i]!);
    }
    if (best > -Infinity) out.push({ labels: withoutName(s.labels), value: best });
  }
  return rule.by ? aggregate(out, { aggregate: 'max', by: rule.by }) : out;
}

/**
 * Per series: had samples in the history before the window, none in the last
 * `absentFor` (a stale marker counts as none). For the selector as a whole:
 * no series has a sample in the last `absentFor`, labelled with the
 * selector's equality matchers as Prometheus' `absent()`. Value: seconds
 * since the last sample (+Inf when none is in the history).
 */
export function absenceCondition(rule: AbsenceRule, ctx: ConditionContext): Element[] {
  const windowStart = ctx.now - rule.absentForMs;
  const out = new Map<string, Element>();
  let anyPresent = false;
  let lastSeen = -Infinity;
  for (const s of readPoints(ctx.store, rule.selector.matchers, ctx.now, rule.absentForMs + rule.historyMs)) {
    if (s.t.length === 0) continue;
    const last = s.t[s.t.length - 1]!;
    lastSeen = Math.max(lastSeen, last);
    if (last > windowStart) {
      anyPresent = true;
      continue;
    }
    const labels = withoutName(s.labels);
    out.set(labelsKey(labels), { labels, value: (ctx.now - last) / 1000 });
  }
  if (!anyPresent) {
    const labels: Record<string, string> = {};
    for (const m of rule.selector.matchers) if (m.type === '=' && m.name !== METRIC_NAME && m.value !== '') labels[m.name] = m.value;
    const key = labelsKey(labels);
    if (!out.has(key)) out.set(key, { labels, value: lastSeen === -Infinity ? Infinity : (ctx.now - lastSeen) / 1000 });
  }
  return [...out.values()];
}

export function rateOfChangeCondition(rule: RateOfChangeRule, ctx: ConditionContext): Element[] {
  const perSeries: Element[] = [];
  const baseline = rule.fn === 'ratio' ? (rule.baselineMs ?? 3_600_000) : 0;
  for (const s of readPoints(ctx.store, rule.selector.matchers, ctx.now, rule.windowMs + baseline)) {
    if (s.v.length < 2) continue;
    let value: number;
    if (rule.fn === 'ratio') {
      const r = ratioToBaseline(s.t, s.v, ctx.now - rule.windowMs);
      if (r === undefined) continue;
      value = r;
    } else if (rule.fn === 'deriv') {
      const fit = fitLine(s.t, s.v, ctx.now);
      if (!fit) continue;
      value = fit.slope;
    } else if (rule.fn === 'delta') value = s.v[s.v.length - 1]! - s.v[0]!;
    else value = counterIncrease(s.v);
    perSeries.push({ labels: withoutName(s.labels), value });
  }
  return compareAll(rule.grouping ? aggregate(perSeries, rule.grouping) : perSeries, rule.op, rule.value);
}

/**
 * Mean of the samples after `split` over the median of those before it (a
 * median, so an outlier in the reference does not move it). Undefined without
 * samples on both sides or with a reference of 0.
 */
export function ratioToBaseline(t: readonly number[], v: readonly number[], split: number): number | undefined {
  const before: number[] = [];
  let sum = 0;
  let n = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i]! > split) {
      sum += v[i]!;
      n++;
    } else before.push(v[i]!);
  }
  if (n === 0 || before.length === 0) return undefined;
  before.sort((a, b) => a - b);
  const m = before.length >> 1;
  const median = before.length % 2 ? before[m]! : (before[m - 1]! + before[m]!) / 2;
  return median === 0 ? undefined : sum / n / median;
}

/** Value: seconds until the predicted crossing (0 when already past the limit). */
export function forecastCondition(rule: ForecastRule, ctx: ConditionContext): Element[] {
  const out: Element[] = [];
  for (const s of readPoints(ctx.store, rule.selector.matchers, ctx.now, rule.windowMs)) {
    if (s.v.length === 0) continue;
    const r = ctx.forecast.timeToCross(s.id, rule.limit, rule.horizonMs, {
      now: ctx.now,
      windowMs: rule.windowMs,
      direction: rule.direction,
      data: { timestamps: s.t, values: s.v },
    });
    if (r.at !== null) out.push({ labels: withoutName(s.labels), value: Math.max(0, (r.at - ctx.now) / 1000) });
  }
  return out;
}

function readPoints(store: SampleStore, matchers: readonly LabelMatcher[], now: number, windowMs: number): Points[] {
  const out: Points[] = [];
  for (const d of store.read(matchers, now - windowMs + 1, now)) {
    const t: number[] = [];
    const v: number[] = [];
    for (let i = 0; i < d.timestamps.length; i++) {
      const x = d.values[i]!;
      if (isStaleMarker(x)) continue;
      t.push(d.timestamps[i]!);
      v.push(x);
    }
    out.push({ labels: d.labels, id: d.id, t, v });
  }
  return out;
}

function overTime(fn: OverTimeFunction, v: number[]): number {
  switch (fn) {
    case 'avg':
      return v.reduce((a, b) => a + b, 0) / v.length;
    case 'max':
      return v.reduce((a, b) => (b > a || Number.isNaN(a) ? b : a), -Infinity);
    case 'min':
      return v.reduce((a, b) => (b < a || Number.isNaN(a) ? b : a), Infinity);
  }
}

/** Sum of increases, a drop counted as a counter reset (the new value is the increase), as PromQL's increase() without extrapolation. */
function counterIncrease(v: number[]): number {
  let inc = 0;
  for (let i = 1; i < v.length; i++) inc += v[i]! >= v[i - 1]! ? v[i]! - v[i - 1]! : v[i]!;
  return inc;
}

/** PromQL aggregation `agg by (labels) (...)`: the result carries only the `by` labels. */
export function aggregate(elements: readonly Element[], g: Grouping): Element[] {
  const groups = new Map<string, { labels: Labels; values: number[] }>();
  for (const e of elements) {
    const labels: Record<string, string> = {};
    for (const name of g.by) {
      const v = e.labels[name];
      if (v !== undefined && v !== '') labels[name] = v;
    }
    const key = labelsKey(labels);
    let grp = groups.get(key);
    if (!grp) groups.set(key, (grp = { labels, values: [] }));
    grp.values.push(e.value);
  }
  const out: Element[] = [];
  for (const { labels, values } of groups.values()) {
    let value: number;
    switch (g.aggregate) {
      case 'sum':
        value = values.reduce((a, b) => a + b, 0);
        break;
      case 'avg':
        value = values.reduce((a, b) => a + b, 0) / values.length;
        break;
      case 'count':
        value = values.length;
        break;
      case 'max':
        value = overTime('max', values);
        break;
      case 'min':
        value = overTime('min', values);
        break;
    }
    out.push({ labels, value });
  }
  return out;
}

export function compare(op: ComparisonOp, a: number, b: number): boolean {
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b && !Number.isNaN(a);
  }
}

function compareAll(elements: Element[], op: ComparisonOp, value: number): Element[] {
  return elements.filter((e) => compare(op, e.value, value));
}

export function withoutName(labels: Labels): Labels {
  if (!(METRIC_NAME in labels)) return labels;
  const out: Record<string, string> = {};
  for (const k in labels) if (k !== METRIC_NAME) out[k] = labels[k]!;
  return out;
}
