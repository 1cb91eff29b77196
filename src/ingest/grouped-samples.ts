import { VigilError } from '../core/errors.js';
import type { Labels } from '../core/labels.js';
import type { SampleBatch } from '../store/types.js';
import type { IngestLimits } from './limits.js';

/** A decoder's cached series: which group of the current request (`gen`) its samples go to. */
export interface GroupedSeries {
  readonly labels: Labels;
  gen: number;
  group: number;
}

/**
 * Where a byte-level decoder's samples go during one request (line protocol, OTLP):
 * reused scratch arrays of (timestamp, value, group) in arrival order, a group per
 * series in order of first appearance, regrouped into a SampleBatch at the end: the
 * layout a labels-keyed SeriesWrite[] gives once batched. Nothing is allocated per sample.
 */
export class GroupedSamples {
  samples = 0;
  private gen = 0;
  private maxSeries = 0;
  private maxSamples = 0;
  private t = new Float64Array(4096);
  private v = new Float64Array(4096);
  private g = new Int32Array(4096);
  private groups: Labels[] = [];
  private groupCount = 0;

  begin(limits: IngestLimits, gen: number): void {
    this.gen = gen;
    this.maxSeries = limits.maxSeriesPerRequest;
    this.maxSamples = limits.maxSamplesPerRequest;
    this.samples = 0;
    this.groupCount = 0;
  }

  /**
   * Appends one sample of series `s` (checking the request's series and sample limits,
   * in that order); returns its index in the scratch arrays.
   */
  add(s: GroupedSeries, t: number, v: number): number {
    if (s.gen !== this.gen) {
      // The series' first sample in this request: it opens a group.
      if (this.groupCount >= this.maxSeries) throw new VigilError('TOO_MANY_SERIES', `more than ${this.maxSeries} series in one request`, 413);
      s.gen = this.gen;
      s.group = this.groupCount;
      this.groups[this.groupCount++] = s.labels;
    }
    const i = this.samples;
    if (++this.samples > this.maxSamples) throw new VigilError('TOO_MANY_SAMPLES', `more than ${this.maxSamples} samples in one request`, 413);
    if (i === this.t.length) this.grow();
    this.t[i] = t;
    // A Float64Array keeps the stale marker's NaN payload bits.
    this.v[i] = v;
    this.g[i] = s.group;
    return i;
  }

  /** Replaces the value of sample `i` (an index add() returned) before finish(). */
  setValue(i: number, v: number): void {
    this.v[i] = v;
  }

  /** The request's batch (fresh arrays: the batch outlives the request). */
  finish(): SampleBatch {
    const n = this.samples;
    const size = this.groupCount;
    const ends = new Uint32Array(size);
    let timestamps: Float64Array;
    let values: Float64Array;
    if (n === size) {
      // One sample per series (the usual request): groups open in sample order, nothing to regroup.
      for (let k = 0; k < size; k++) ends[k] = k + 1;
      timestamps = this.t.slice(0, n);
      values = this.v.slice(0, n);
    } else {
      // Counting sort by group, keeping arrival order within a group.
      for (let i = 0; i < n; i++) ends[this.g[i]!]!++;
      for (let k = 1; k < size; k++) ends[k]! += ends[k - 1]!;
      const next = new Uint32Array(size);
      for (let k = 1; k < size; k++) next[k] = ends[k - 1]!;
      timestamps = new Float64Array(n);
      values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const o = next[this.g[i]!]!++;
        timestamps[o] = this.t[i]!;
        values[o] = this.v[i]!;
      }
    }
    return { size, labels: this.groups.slice(0, size), ends, timestamps, values };
  }

  private grow(): void {
    const n = this.t.length * 2;
    this.t = grown(this.t, n);
    this.v = grown(this.v, n);
    this.g = grown(this.g, n);
  }
}

/** A copy of `a` in a new array of `length` elements. */
export function grown<A extends Float64Array | Int32Array>(a: A, length: number): A {
  const b = new (a.constructor as new (n: number) => A)(length);
  b.set(a);
  return b;
}
