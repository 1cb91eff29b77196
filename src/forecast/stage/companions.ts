import { METRIC_NAME, labelsKey, type Labels } from '../../core/labels.js';
import { isStaleMarker } from '../../core/sample.js';
import type { SeriesData } from '../../store/types.js';

/**
 * A series' companion: the limit of a usage series (node_filesystem_size_bytes
 * for node_filesystem_avail_bytes), the allocation of a resource, the replica
 * count of a workload. Matched on the labels in `on`, or on every label but
 * the metric name; a single companion series applies to every series.
 */
export class Companions {
  private readonly byKey = new Map<string, number>();
  private readonly single: number | undefined;

  constructor(
    series: readonly SeriesData[],
    private readonly on?: readonly string[],
  ) {
    for (const s of series) {
      const v = lastValue(s);
      if (v !== undefined) this.byKey.set(this.key(s.labels), v);
    }
    const only = series.length === 1 ? lastValue(series[0]!) : undefined;
    this.single = only;
  }

  valueFor(labels: Labels): number | undefined {
    return this.byKey.get(this.key(labels)) ?? this.single;
  }

  private key(labels: Labels): string {
    const out: Record<string, string> = {};
    if (this.on) {
      for (const n of this.on) if (labels[n]) out[n] = labels[n];
    } else for (const [k, v] of Object.entries(labels)) if (k !== METRIC_NAME) out[k] = v;
    return labelsKey(out);
  }
}

/** The newest real value of a series, if any. */
export function lastValue(s: SeriesData): number | undefined {
  for (let i = s.values.length - 1; i >= 0; i--) {
    const v = s.values[i]!;
    if (Number.isFinite(v) && !isStaleMarker(v)) return v;
  }
  return undefined;
}
