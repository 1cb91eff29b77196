import type { Labels } from '../../core/labels.js';

/**
 * Scores in flat form (DetectionStage.observeFlat): score series ids[i] has the
 * samples [ends[i-1], ends[i]) of ts/vs (an id may come back in a later entry); `series`
 * names the ids first used.
 */
export interface FlatScores {
  series: Array<[number, Labels]>;
  ids: Uint32Array<ArrayBuffer>;
  ends: Uint32Array<ArrayBuffer>;
  ts: Float64Array<ArrayBuffer>;
  vs: Float64Array<ArrayBuffer>;
}

/** Collects the scores of one or more batches; result() gives exactly-sized arrays. */
export class FlatScoresBuilder {
  readonly series: Array<[number, Labels]> = [];
  private ids: Uint32Array<ArrayBuffer>;
  private ends: Uint32Array<ArrayBuffer>;
  private ts: Float64Array<ArrayBuffer>;
  private vs: Float64Array<ArrayBuffer>;
  private k = 0;
  private m = 0;

  constructor(series: number, samples: number) {
    this.ids = new Uint32Array(Math.max(1, series));
    this.ends = new Uint32Array(Math.max(1, series));
    this.ts = new Float64Array(Math.max(1, samples));
    this.vs = new Float64Array(Math.max(1, samples));
  }

  /** Appends one score; `id` continues the current series when it is the last one added. */
  add(id: number, newRun: boolean, t: number, v: number): void {
    if (this.m === this.ts.length) {
      this.ts = grow(this.ts, new Float64Array(this.m * 2));
      this.vs = grow(this.vs, new Float64Array(this.m * 2));
    }
    if (newRun) {
      if (this.k === this.ids.length) {
        this.ids = grow(this.ids, new Uint32Array(this.k * 2));
        this.ends = grow(this.ends, new Uint32Array(this.k * 2));
      }
      this.ids[this.k++] = id;
    }
    this.ts[this.m] = t;
    this.vs[this.m++] = v;
    this.ends[this.k - 1] = this.m;
  }

  result(): FlatScores {
    return { series: this.series, ids: this.ids.slice(0, this.k), ends: this.ends.slice(0, this.k), ts: this.ts.slice(0, this.m), vs: this.vs.slice(0, this.m) };
  }
}

function grow<T extends Uint32Array<ArrayBuffer> | Float64Array<ArrayBuffer>>(from: T, to: T): T {
  to.set(from);
  return to;
}
