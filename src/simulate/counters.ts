import { METRICS } from './metrics.js';
import type { SeriesCatalog } from './series-catalog.js';

/**
 * Counters (`*_total`) are the running integral of a per-second gauge on the same host, summed
 * on the sample grid from startTime: C(t_k) = sum over j < k of rate(t_j) * interval, and linear
 * in between. That makes them a function of t alone, like the gauges, at the price of history:
 * reaching step k needs the rates at every earlier step. Only the rate series are evaluated for
 * that, and checkpoints keep going back cheap; jumping far ahead replays the steps in between once.
 */
export class CounterIntegrator {
  /** Series index of each counter, and of the gauge it integrates. */
  private readonly counter: Int32Array;
  private readonly source: Int32Array;
  private readonly sum: Float64Array;
  private readonly rate: Float64Array;
  private readonly checkpoints = new Map<number, Float64Array>();
  /** Grid step that `sum` and `rate` describe, or -1 when nothing is computed yet. */
  private k = -1;
  private readonly dtSeconds: number;
  private readonly scratch: Float64Array;

  constructor(
    catalog: SeriesCatalog,
    private readonly startTime: number,
    private readonly intervalMs: number,
    /** Fills the listed gauges at time t (with incidents, without counters). */
    private readonly evaluate: (t: number, out: Float64Array, only: Int32Array) => void,
    private readonly checkpointEvery = 256,
  ) {
    const counter: number[] = [];
    const source: number[] = [];
    for (let i = 0; i < catalog.size; i++) {
      const def = METRICS[catalog.metric[i]!]!;
      if (def.integrates === undefined) continue;
      counter.push(i);
      source.push(catalog.at(catalog.host[i]!, def.integrates));
    }
    this.counter = Int32Array.from(counter);
    this.source = Int32Array.from(source);
    this.sum = new Float64Array(counter.length);
    this.rate = new Float64Array(counter.length);
    this.dtSeconds = intervalMs / 1000;
    this.scratch = new Float64Array(catalog.size);
  }

  get size(): number {
    return this.counter.length;
  }

  /** Forgets everything computed (after an incident was added that may change past rates). */
  reset(): void {
    this.k = -1;
    this.checkpoints.clear();
  }

  /** Writes the counters at t into `values`, whose gauges already hold the values at t. */
  fill(t: number, values: Float64Array): void {
    if (this.counter.length === 0) return;
    if (t <= this.startTime) {
      for (let c = 0; c < this.counter.length; c++) values[this.counter[c]!] = 0;
      return;
    }
    const target = Math.floor((t - this.startTime) / this.intervalMs);
    const gridT = this.startTime + target * this.intervalMs;
    this.advanceTo(target, gridT === t ? values : undefined);
    const partial = (t - gridT) / 1000;
    for (let c = 0; c < this.counter.length; c++) values[this.counter[c]!] = this.sum[c]! + this.rate[c]! * partial;
  }

  private advanceTo(target: number, current: Float64Array | undefined): void {
    if (this.k > target || this.k < 0) this.restore(target);
    while (this.k < target) {
      for (let c = 0; c < this.sum.length; c++) this.sum[c]! += this.rate[c]! * this.dtSeconds;
      this.k++;
      this.loadRates(this.k, this.k === target ? current : undefined);
      if (this.k % this.checkpointEvery === 0) this.save();
    }
  }

  /** Restarts from the latest checkpoint at or before `target` (or from zero at startTime). */
  private restore(target: number): void {
    let best = -1;
    for (const k of this.checkpoints.keys()) if (k <= target && k > best) best = k;
    if (best >= 0) {
      const cp = this.checkpoints.get(best)!;
      const n = this.sum.length;
      this.sum.set(cp.subarray(0, n));
      this.rate.set(cp.subarray(n));
      this.k = best;
      return;
    }
    this.sum.fill(0);
    this.k = 0;
    this.loadRates(0, undefined);
    this.save();
  }

  private loadRates(k: number, current: Float64Array | undefined): void {
    let src = current;
    if (!src) {
      this.evaluate(this.startTime + k * this.intervalMs, this.scratch, this.source);
      src = this.scratch;
    }
    for (let c = 0; c < this.source.length; c++) this.rate[c] = src[this.source[c]!]!;
  }

  private save(): void {
    const n = this.sum.length;
    const cp = new Float64Array(2 * n);
    cp.set(this.sum, 0);
    cp.set(this.rate, n);
    this.checkpoints.set(this.k, cp);
  }
}
