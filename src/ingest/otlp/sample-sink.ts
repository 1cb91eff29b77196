import type { SampleBatch } from '../../store/types.js';
import type { FamilyMetadata } from '../../core/metadata.js';
import { GroupedSamples, grown } from '../grouped-samples.js';
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
  /** Each metric's type, description and unit under its family name. */
  metadata: FamilyMetadata[];
}

/**
 * Where the wire decoder's samples go during one request (GroupedSamples), with the
 * request's refusals and its delta journal.
 *
 * Delta values are not added to the DeltaAccumulator as they arrive but journaled
 * and replayed, in the same order, once the whole request has decoded: a request
 * refused halfway (malformed, over a limit) then leaves the running totals untouched.
 */
export class SampleSink {
  rejected = 0;
  errors: string[] = [];
  private readonly grouped = new GroupedSamples();
  private deltaKeys: string[] = [];
  private deltaValues = new Float64Array(256);
  private deltaSamples = new Int32Array(256);
  private deltas = 0;

  begin(limits: IngestLimits, gen: number): void {
    this.grouped.begin(limits, gen);
    this.rejected = 0;
    this.errors = [];
    this.deltas = 0;
  }

  /** Appends one sample of `ref` (a validated series); returns its index in the scratch arrays. */
  add(ref: SeriesRef, t: number, v: number): number {
    return this.grouped.add(ref, t, v);
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
      if (i >= 0) this.grouped.setValue(i, total);
    }
    const samples = this.grouped.samples;
    return { batch: this.grouped.finish(), samples, rejectedDataPoints: this.rejected, errors: this.errors, metadata: [] };
  }
}
