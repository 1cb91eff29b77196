import type { Labels } from '../core/labels.js';
import type { SampleBatch, SeriesWrite } from './types.js';

/**
 * SeriesWrite[] <-> SampleBatch. The batch is the form the high-rate paths use
 * (remote write, the detection worker, score series): four arrays per request
 * instead of an object and two array views per series, which at thousands of
 * series per request was most of the ingest thread's garbage.
 */

/** Copies writes into one batch (the protocols that decode into SeriesWrite[] take this path). */
export function batchFromWrites(writes: readonly SeriesWrite[]): SampleBatch {
  let total = 0;
  for (const w of writes) total += Math.min(w.timestamps.length, w.values.length);
  const labels: Labels[] = new Array<Labels>(writes.length);
  const ends = new Uint32Array(writes.length);
  const timestamps = new Float64Array(total);
  const values = new Float64Array(total);
  let o = 0;
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i]!;
    const n = Math.min(w.timestamps.length, w.values.length);
    for (let j = 0; j < n; j++) {
      timestamps[o + j] = w.timestamps[j]!;
      values[o + j] = w.values[j]!;
    }
    o += n;
    labels[i] = w.labels;
    ends[i] = o;
  }
  return { size: writes.length, labels, ends, timestamps, values };
}

/** One SeriesWrite per series of the batch, its samples as views (for code and tests that read per series). */
export function writesOfBatch(b: SampleBatch): SeriesWrite[] {
  const out: SeriesWrite[] = [];
  let from = 0;
  for (let i = 0; i < b.size; i++) {
    const to = b.ends[i]!;
    out.push({ labels: b.labels[i]!, timestamps: b.timestamps.subarray(from, to), values: b.values.subarray(from, to) });
    from = to;
  }
  return out;
}

/** Samples in the batch. */
export function batchSamples(b: SampleBatch): number {
  return b.size > 0 ? b.ends[b.size - 1]! : 0;
}
