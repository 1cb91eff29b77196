import { METRIC_NAME, type Labels } from '../../core/labels.js';
import type { MetricType } from '../../core/metadata.js';

/**
 * Cumulative series (Prometheus counters and the parts of histograms and
 * summaries) only ever grow, so their raw value says nothing about normal
 * behaviour; their per-second rate does. A family's type, when a sender gave it
 * (remote write metadata, a TYPE line, an OTLP metric kind; `typeOf`), decides:
 * a counter's series, and a histogram's or summary's `_bucket`, `_count` and
 * `_sum`, are cumulative; a gauge's, a gauge histogram's, an info's or a state
 * set's are not. Without it, names follow Prometheus conventions.
 */
export function isCumulative(labels: Labels, typeOf?: (family: string) => MetricType | undefined): boolean {
  const n = labels[METRIC_NAME] ?? '';
  if (typeOf !== undefined) {
    const own = typeOf(n);
    if (own !== undefined && own !== 'unknown') return own === 'counter';
    for (const suffix of FAMILY_SUFFIXES) {
      if (!n.endsWith(suffix)) continue;
      const t = typeOf(n.slice(0, -suffix.length));
      if (t === undefined || t === 'unknown') continue;
      if (t === 'counter') return suffix === '_total';
      return (t === 'histogram' || t === 'summary') && suffix !== '_total';
    }
  }
  return FAMILY_SUFFIXES.some((s) => n.endsWith(s));
}

/** Suffixes a series name adds to its family's (OpenMetrics counters add `_total`). */
const FAMILY_SUFFIXES = ['_total', '_bucket', '_count', '_sum'] as const;

/** The series names whose isCumulative() a family's type can decide: the family's own, and with each suffix. */
export function namesOfFamily(family: string): string[] {
  return [family, ...FAMILY_SUFFIXES.map((s) => family + s)];
}

/** Per-second rate between two counter samples, treating a decrease as a reset (as Prometheus's rate()). */
export function counterRate(prevT: number, prevV: number, t: number, v: number): number {
  const dt = (t - prevT) / 1000;
  if (!(dt > 0) || !Number.isFinite(prevV)) return NaN;
  const delta = v >= prevV ? v - prevV : v;
  return delta / dt;
}
