import { VigilError } from '../../core/errors.js';
import type { Labels } from '../../core/labels.js';
import type { SampleBatch } from '../../store/types.js';
import type { IngestLimits } from '../limits.js';
import type { SeriesRef } from './series-cache.js';
import type { DeltaAccumulator } from './translate.js';

const MAX_ERRORS = 10;

/** The wire decoder's result: the same counts and messages as OtlpTranslation, the samples as one flat batch. */
export interface OtlpBatchTranslation {
  batch: SampleBatch;
  samples: number;
  /** Data points refused before the store (unsupported type, invalid labels, bad histogram). */
  rejectedDataPoints: number;
  errors: string[];
}

/**
 * Where the wire decoder's samples go during one request: reused scratch arrays of
 * (timestamp, value, group) in arrival order, a group per series in order of first
 * appearance, regrouped into a SampleBatch at the end (the layout the labels-keyed
 * translation's SeriesWrite[] gives). Nothing is allocated per sample.
 *
 * Delta values are not added to the DeltaAccumulator as they arrive but journaled
 * and replayed, in the same order, once the whole request has decoded: a request
 * refused halfway (malformed, over a limit) then leaves the running totals untouched.
 */
export class SampleSink {
  samples = 0;
  rejected = 0;
  errors: string[] = [];
  private gen = 0;
  private maxSeries = 0;
  private maxSamples = 0;
  private t = new Float64Array(4096);
  private v = new Float64Array(4096);
  private g = new Int32Array(4096);
  private groups: Labels[] = [];
  private groupCount = 0;
  private deltaKeys: string[] = [];
  private deltaValues = new Float64Array(256);
  private deltaSamples = new Int32Array(256);
  private deltas = 0;

  begin(limits: IngestLimits, gen: number): void {
    this.gen = gen;
    this.maxSeries = limits.maxSeriesPerRequest;
    this.maxSamples = limits.maxSamplesPerRequest;
    this.samples = 0;
    this.rejected = 0;
    this.errors = [];
    this.groupCount = 0;
    this.deltas = 0;
  }

  /** Appends one sample of `ref` (a validated series); returns its index in the scratch arrays. */
  add(ref: SeriesRef, t: number, v: number): number {
    if (ref.gen !== this.gen) {
      // The series' first sample in this request: it opens a group.
      if (this.groupCount >= this.maxSeries) throw new VigilError('TOO_MANY_SERIES', `more than ${this.maxSeries} series in one request`, 413);
      ref.gen = this.gen;
      ref.group = this.groupCount;
      this.groups[this.groupCount++] = ref.labels;
    }
    const i = this.samples;
    if (++this.samples > this.maxSamples) throw new VigilError('TOO_MANY_SAMPLES', `more than ${this.maxSamples} samples in one request`, 413);
    if (i === this.t.length) this.grow();
    this.t[i] = t;
    // A Float64Array keeps the stale marker's NaN payload bits.
    this.v[i] = v;
    this.g[i] = ref.group;
    return i;
  }

  /** Journals a delta for series `key`; returns the entry, whose sample is set by deltaSample() once added. */
  deltaBegin(key: string, delta: number): number {
    const j = this.deltas++;
    if (j === this.deltaValues.length) {
      this.deltaValues = grown(this.deltaValues, j * 2);
      this.deltaSamples = grown(this.deltaSamples, j * 2);
    }
    this.deltaKeys[j] = key;
    this.deltaValues[j] = delta;
    // -1 until added: a delta whose sample was refused still counts, as in the labels-keyed translation.
    this.deltaSamples[j] = -1;
    return j;
  }

  deltaSample(j: number, sample: number): void {
    this.deltaSamples[j] = sample;
  }

  reject(points: number, message: string): void {
    this.rejected += points;
    this.error(message);
  }

  error(message: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push(message);
  }

  /** Applies the journaled deltas and returns the request's batch (fresh arrays: the batch outlives the request). */
  finish(acc: DeltaAccumulator): OtlpBatchTranslation {
    for (let j = 0; j < this.deltas; j++) {
      const total = acc.add(this.deltaKeys[j]!, this.deltaValues[j]!);
      const i = this.deltaSamples[j]!;
      if (i >= 0) this.v[i] = total;
    }
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
    const batch: SampleBatch = { size, labels: this.groups.slice(0, size), ends, timestamps, values };
    return { batch, samples: n, rejectedDataPoints: this.rejected, errors: this.errors };
  }

  private grow(): void {
    const n = this.t.length * 2;
    this.t = grown(this.t, n);
    this.v = grown(this.v, n);
    this.g = grown(this.g, n);
  }
}

function grown<A extends Float64Array | Int32Array>(a: A, length: number): A {
  const b = new (a.constructor as new (n: number) => A)(length);
  b.set(a);
  return b;
}
