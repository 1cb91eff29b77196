/** Samples in flat form: series ids[i] has the samples [ends[i-1], ends[i]) of ts/vs. */
export interface FlatSamples {
  readonly ids: Uint32Array;
  readonly ends: Uint32Array;
  readonly ts: Float64Array;
  readonly vs: Float64Array;
}

/**
 * Several flat batches rearranged series by series: each series once, in the order it
 * first appears, with all its samples from every batch, batch after batch (so in the
 * order they came). A detector's state is far larger than a sample: scored in the
 * order samples arrive, every sample of 10,000 series finds its series' state cold;
 * scored series by series, a series' later samples in the same block find it warm.
 * Buffers are kept and reused from one block to the next.
 */
export class SeriesMajorOrder implements FlatSamples {
  ids = new Uint32Array(1024);
  ends = new Uint32Array(1024);
  ts = new Float64Array(4096);
  vs = new Float64Array(4096);
  /** Series and samples in the current arrangement (the arrays are larger). */
  series = 0;
  samples = 0;
  /** Per series id: the block it was last seen in, and its sample count, then its next write position. */
  private seenIn = new Uint32Array(1024);
  private pos = new Uint32Array(1024);
  private block = 0;

  arrange(parts: readonly FlatSamples[]): void {
    if (++this.block === 0xffffffff) {
      this.seenIn.fill(0);
      this.block = 1;
    }
    const block = this.block;
    let series = 0;
    let samples = 0;
    for (const p of parts) {
      let from = 0;
      for (let i = 0; i < p.ids.length; i++) {
        const id = p.ids[i]!;
        const to = p.ends[i]!;
        if (id >= this.seenIn.length) this.growIds(id);
        if (this.seenIn[id] !== block) {
          this.seenIn[id] = block;
          this.pos[id] = 0;
          if (series === this.ids.length) {
            this.ids = grow(this.ids, new Uint32Array(series * 2));
            this.ends = grow(this.ends, new Uint32Array(series * 2));
          }
          this.ids[series++] = id;
        }
        this.pos[id] += to - from;
        from = to;
      }
      samples += from;
    }
    if (samples > this.ts.length) {
      const n = Math.max(samples, this.ts.length * 2);
      this.ts = new Float64Array(n);
      this.vs = new Float64Array(n);
    }
    // Counts become start positions, and each series' end is known.
    let at = 0;
    for (let k = 0; k < series; k++) {
      const id = this.ids[k]!;
      const n = this.pos[id]!;
      this.pos[id] = at;
      at += n;
      this.ends[k] = at;
    }
    const ts = this.ts;
    const vs = this.vs;
    for (const p of parts) {
      let from = 0;
      for (let i = 0; i < p.ids.length; i++) {
        const id = p.ids[i]!;
        const to = p.ends[i]!;
        let o = this.pos[id]!;
        for (let j = from; j < to; j++, o++) {
          ts[o] = p.ts[j]!;
          vs[o] = p.vs[j]!;
        }
        this.pos[id] = o;
        from = to;
      }
    }
    this.series = series;
    this.samples = samples;
  }

  private growIds(id: number): void {
    const n = Math.max(id + 1, this.seenIn.length * 2);
    this.seenIn = grow(this.seenIn, new Uint32Array(n));
    this.pos = grow(this.pos, new Uint32Array(n));
  }
}

function grow(from: Uint32Array, to: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> {
  to.set(from);
  return to;
}
