import { METRIC_NAME, type Labels } from '../core/labels.js';
import type { CompiledMatcher } from '../core/matchers.js';
import { type Postings, addPosting, intersect, removeAll, subtract, union } from './postings.js';

/**
 * Inverted index: label name -> label value -> postings (sorted series refs).
 *
 * Matchers follow Prometheus: a series without the label has it as "" for matching.
 * So a matcher that accepts "" selects "every series except those whose value it
 * rejects" (a set to subtract), and one that rejects "" selects the union of the
 * postings of the values it accepts (a set to intersect).
 */
export class LabelIndex {
  private readonly byName = new Map<string, Map<string, Postings>>();
  private readonly all: Postings = [];

  get size(): number {
    return this.all.length;
  }

  add(ref: number, labels: Labels): void {
    addPosting(this.all, ref);
    for (const name in labels) {
      const value = labels[name]!;
      if (value === '') continue;
      let values = this.byName.get(name);
      if (!values) this.byName.set(name, (values = new Map()));
      let p = values.get(value);
      if (!p) values.set(value, (p = []));
      addPosting(p, ref);
    }
  }

  /** Removes many series at once (one pass per touched postings list). */
  removeMany(series: ReadonlyArray<{ ref: number; labels: Labels }>): void {
    if (series.length === 0) return;
    const drop = new Set<number>();
    const touched = new Map<string, Set<string>>();
    for (const s of series) {
      drop.add(s.ref);
      for (const name in s.labels) {
        let vs = touched.get(name);
        if (!vs) touched.set(name, (vs = new Set()));
        vs.add(s.labels[name]!);
      }
    }
    removeAll(this.all, drop);
    for (const [name, vs] of touched) {
      const values = this.byName.get(name);
      if (!values) continue;
      for (const v of vs) {
        const p = values.get(v);
        if (!p) continue;
        removeAll(p, drop);
        if (p.length === 0) values.delete(v);
      }
      if (values.size === 0) this.byName.delete(name);
    }
  }

  /** Refs of series matching every matcher, ascending. No matchers: every series. */
  select(matchers: readonly CompiledMatcher[]): Postings {
    const include: Postings[] = [];
    const exclude: Postings[] = [];
    for (const m of matchers) {
      const values = this.byName.get(m.name);
      if (m.type === '=' && m.value !== '') {
        include.push(values?.get(m.value) ?? []);
        continue;
      }
      const acceptsEmpty = m.matchesEmpty();
      const lists: Postings[] = [];
      if (values) for (const [v, p] of values) if (m.matchesValue(v) !== acceptsEmpty) lists.push(p);
      if (acceptsEmpty) {
        if (lists.length > 0) exclude.push(union(lists));
      } else include.push(lists.length === 1 ? lists[0]! : union(lists));
    }
    let result: Postings;
    if (include.length === 0) result = this.all.slice();
    else {
      include.sort((a, b) => a.length - b.length);
      result = include[0]!.slice();
      for (let i = 1; i < include.length && result.length > 0; i++) result = intersect(result, include[i]!);
    }
    for (const e of exclude) {
      if (result.length === 0) break;
      result = subtract(result, e);
    }
    return result;
  }

  labelNames(): string[] {
    return [...this.byName.keys()].sort();
  }

  labelValues(name: string): string[] {
    const values = this.byName.get(name);
    return values ? [...values.keys()].sort() : [];
  }

  /** Distinct name=value pairs. */
  labelPairCount(): number {
    let n = 0;
    for (const values of this.byName.values()) n += values.size;
    return n;
  }

  /**
   * Where the series come from, as Prometheus's `/api/v1/status/tsdb` tells it: the `limit`
   * metric names with the most series, label names with the most values, label names whose
   * values take the most bytes, and name=value pairs in the most series (largest first).
   */
  cardinality(limit: number): IndexCardinality {
    const byMetric = new TopN(limit);
    const valueCounts = new TopN(limit);
    const bytes = new TopN(limit);
    const pairs = new TopN(limit);
    for (const [name, values] of this.byName) {
      valueCounts.offer(name, values.size);
      let b = 0;
      for (const [value, p] of values) {
        b += Buffer.byteLength(value);
        // Most pairs are in too few series to enter: their name=value string is not built.
        if (pairs.admits(p.length)) pairs.offer(`${name}=${value}`, p.length);
        if (name === METRIC_NAME) byMetric.offer(value, p.length);
      }
      bytes.offer(name, b);
    }
    return {
      seriesCountByMetricName: byMetric.result(),
      labelValueCountByLabelName: valueCounts.result(),
      memoryInBytesByLabelName: bytes.result(),
      seriesCountByLabelValuePair: pairs.result(),
    };
  }
}

export interface NameCount {
  name: string;
  value: number;
}

export interface IndexCardinality {
  seriesCountByMetricName: NameCount[];
  labelValueCountByLabelName: NameCount[];
  memoryInBytesByLabelName: NameCount[];
  seriesCountByLabelValuePair: NameCount[];
}

/** The n largest of what is offered (ties by name), without sorting everything: a label pair per series can be millions. */
class TopN {
  private readonly top: NameCount[] = [];

  constructor(private readonly n: number) {}

  /** Whether a value could enter (it might still lose a tie by name): false skips building a name. */
  admits(value: number): boolean {
    return this.n > 0 && (this.top.length < this.n || value >= this.top[this.top.length - 1]!.value);
  }

  offer(name: string, value: number): void {
    const top = this.top;
    if (this.n <= 0 || (top.length === this.n && !before(value, name, top[top.length - 1]!))) return;
    let i = top.length;
    while (i > 0 && before(value, name, top[i - 1]!)) i--;
    top.splice(i, 0, { name, value });
    if (top.length > this.n) top.pop();
  }

  result(): NameCount[] {
    return this.top;
  }
}

function before(value: number, name: string, x: NameCount): boolean {
  return value > x.value || (value === x.value && name < x.name);
}
