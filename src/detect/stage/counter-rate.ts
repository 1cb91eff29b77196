import { METRIC_NAME, type Labels } from '../../core/labels.js';

/**
 * Cumulative series (Prometheus counters and the parts of histograms and
 * summaries) only ever grow, so their raw value says nothing about normal
 * behaviour; their per-second rate does. Names follow Prometheus conventions.
 */
export function isCumulative(labels: Labels): boolean {
  const n = labels[METRIC_NAME] ?? '';
  return n.endsWith('_total') || n.endsWith('_count') || n.endsWith('_sum') || n.endsWith('_bucket');
}

/** Per-second rate between two counter samples, treating a decrease as a reset (as Prometheus's rate()). */
export function counterRate(prevT: number, prevV: number, t: number, v: number): number {
  const dt = (t - prevT) / 1000;
  if (!(dt > 0) || !Number.isFinite(prevV)) return NaN;
  const delta = v >= prevV ? v - prevV : v;
  return delta / dt;
}
