import type { FamilyMetadata, MetricType } from '../../core/metadata.js';

export type OtlpKind = 'gauge' | 'sum' | 'histogram' | 'summary';

/**
 * An OTLP metric's metadata under its Prometheus family name, as the
 * OpenTelemetry-to-Prometheus rules type it: monotonic sums are counters, other
 * sums gauges; the description is the help text, the unit (UCUM, e.g. `By`, `s`) kept as sent.
 */
export function otlpMetadata(family: string, kind: OtlpKind, monotonic: boolean, description: string, unit: string): FamilyMetadata {
  return { family, type: otlpType(kind, monotonic), help: description, unit };
}

export function otlpType(kind: OtlpKind, monotonic: boolean): MetricType {
  return kind === 'sum' ? (monotonic ? 'counter' : 'gauge') : kind;
}

/** A request's metadata, each distinct entry once (a metric repeats under every resource that reports it). */
export class MetadataList {
  /** The first entry of each family this request. */
  private readonly first = new Map<string, FamilyMetadata>();
  entries: FamilyMetadata[] = [];

  reset(): void {
    this.first.clear();
    this.entries = [];
  }

  add(m: FamilyMetadata): void {
    const f = this.first.get(m.family);
    if (f === undefined) {
      this.first.set(m.family, m);
      this.entries.push(m);
    } else if (!same(f, m) && !this.entries.some((e) => same(e, m))) this.entries.push(m);
  }
}

function same(a: FamilyMetadata, b: FamilyMetadata): boolean {
  return a.family === b.family && a.type === b.type && a.help === b.help && a.unit === b.unit;
}
