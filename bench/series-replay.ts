import { KINDS, type SeriesGen, type ValueSource } from './series-gen.js';

/** The kinds that are counters (only ever go up), by index in KINDS. */
const COUNTER_KINDS = new Set(['cpu_seconds_total', 'network_bytes_total', 'http_requests_total'].map((k) => KINDS.indexOf(k as (typeof KINDS)[number])));

/**
 * A SeriesGen's values drawn once, before timing, and replayed: bench:ingest's senders
 * share the machine with Vigil, and drawing each value as it is sent (random walks,
 * Gaussian noise) cost them about 0.1 us a sample, a tenth of a core at 1 M samples/s
 * that a real sender on its own machine would not take from Vigil.
 *
 * Each series' first `rounds` values are the generator's own. After them a gauge plays
 * them backwards, then forwards again (so it never jumps), and a counter starts over
 * from where it stands, raised by the cycle's rise plus one step (so it only goes up,
 * and keeps the generator's precision: whole numbers, or hundredths for CPU seconds).
 */
export class ReplayedValues implements ValueSource {
  private readonly table: Float64Array;
  /** Per series: the next round it gives, its rise over a cycle (counters; 0 for gauges) and whether it keeps hundredths. */
  private readonly round: Uint32Array;
  private readonly rise: Float64Array;
  private readonly cents: Uint8Array;

  constructor(
    gen: SeriesGen,
    /** Rounds drawn, a power of two (2,048 rounds x 10,000 series: 160 MB). */
    private readonly rounds = 2048,
  ) {
    if (!(rounds >= 2 && (rounds & (rounds - 1)) === 0)) throw new Error(`rounds: a power of two from 2 up, not ${rounds}`);
    const n = gen.n;
    this.table = new Float64Array(rounds * n);
    for (let r = 0; r < rounds; r++) for (let i = 0; i < n; i++) this.table[r * n + i] = gen.next(i);
    this.round = new Uint32Array(n);
    this.rise = new Float64Array(n);
    this.cents = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (!COUNTER_KINDS.has(gen.kind[i]!)) continue;
      const first = this.table[i]!;
      this.rise[i] = this.table[(rounds - 1) * n + i]! - first + (this.table[n + i]! - first);
      this.cents[i] = KINDS[gen.kind[i]!] === 'cpu_seconds_total' ? 1 : 0;
    }
  }

  /** Value of series i at its next round. */
  next(i: number): number {
    const n = this.round.length;
    const r = this.round[i]!++;
    const k = r & (this.rounds - 1);
    const cycle = Math.floor(r / this.rounds);
    const rise = this.rise[i]!;
    if (rise === 0) return this.table[((cycle & 1) === 0 ? k : this.rounds - 1 - k) * n + i]!;
    const v = this.table[k * n + i]! + cycle * rise;
    return this.cents[i] === 1 ? Math.round(v * 100) / 100 : v;
  }
}
