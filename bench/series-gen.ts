import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../src/core/mulberry32.js';

/**
 * Synthetic metrics shaped like a node_exporter + application scrape: counters and
 * gauges with the precision real exporters print (CPU seconds with 2 decimals, bytes as
 * integers, memory in whole pages), plus a few noisy series replayed from NAB.
 * State lives in typed arrays so 100k series cost little memory next to the store.
 */

export const KINDS = ['cpu_seconds_total', 'network_bytes_total', 'memory_bytes', 'filesystem_size_bytes', 'load1', 'temp_celsius', 'http_requests_total', 'nab'] as const;
/** Share of each kind, in KINDS order. */
const WEIGHTS = [0.25, 0.1, 0.15, 0.2, 0.1, 0.05, 0.1, 0.05];

export { mulberry32 as rng };

/** Where a sender gets each series' next value (`i`: the series). */
export interface ValueSource {
  next(i: number): number;
}

export class SeriesGen implements ValueSource {
  readonly kind: Uint8Array;
  private readonly v: Float64Array;
  private readonly p: Float64Array;
  private readonly nabIdx: Uint32Array;
  private readonly nabPos: Uint32Array;
  private readonly rand: () => number;
  private readonly nab: Float64Array[];

  constructor(
    readonly n: number,
    nabSeries: readonly NabSeries[],
    seed = 1,
  ) {
    this.rand = mulberry32(seed);
    const nab = nabSeries.map((x) => x.v);
    this.nab = nab;
    this.kind = new Uint8Array(n);
    this.v = new Float64Array(n);
    this.p = new Float64Array(n);
    this.nabIdx = new Uint32Array(n);
    this.nabPos = new Uint32Array(n);
    const r = this.rand;
    for (let i = 0; i < n; i++) {
      let x = r();
      let k = 0;
      while (k < WEIGHTS.length - 1 && x >= WEIGHTS[k]!) x -= WEIGHTS[k++]!;
      if (k === 7 && nab.length === 0) k = 4;
      this.kind[i] = k;
      switch (k) {
        case 0:
          this.v[i] = Math.round(r() * 1e6 * 100) / 100;
          this.p[i] = 0.05 + r() * 0.9; // cpu seconds per second
          break;
        case 1:
          this.v[i] = Math.floor(r() * 1e12);
          this.p[i] = 10 ** (2 + r() * 4); // bytes per second
          break;
        case 2:
          this.v[i] = Math.floor(1e6 + r() * 4e6); // pages
          break;
        case 3:
          this.v[i] = r() < 0.3 ? 1 : 4096 * Math.floor(r() * 1e8);
          break;
        case 4:
          this.v[i] = Math.round(r() * 400) / 100;
          break;
        case 5:
          this.p[i] = 30 + r() * 40;
          break;
        case 6:
          this.v[i] = Math.floor(r() * 1e7);
          this.p[i] = 1 + r() * 200; // requests per second
          break;
        case 7:
          this.nabIdx[i] = Math.floor(r() * nab.length);
          this.nabPos[i] = Math.floor(r() * nab[this.nabIdx[i]!]!.length);
          break;
      }
    }
  }

  private gauss(): number {
    const r = this.rand;
    return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  }

  /** Value of series i at the next 15 s scrape. */
  next(i: number): number {
    const r = this.rand;
    switch (this.kind[i]) {
      case 0: {
        this.p[i] = Math.min(1, Math.max(0.01, this.p[i]! + (r() - 0.5) * 0.04));
        return (this.v[i] = Math.round((this.v[i]! + this.p[i]! * 15) * 100) / 100);
      }
      case 1:
        return (this.v[i] = this.v[i]! + Math.floor(this.p[i]! * 15 * (0.5 + r())));
      case 2:
        this.v[i] = Math.max(1000, this.v[i]! + Math.round(this.gauss() * 20));
        return this.v[i]! * 4096;
      case 3:
        return this.v[i]!;
      case 4:
        return (this.v[i] = Math.round(Math.min(16, Math.max(0, this.v[i]! + this.gauss() * 0.05)) * 100) / 100);
      case 5:
        return Math.round((this.p[i]! + this.gauss() * 0.5) * 10) / 10;
      case 6: {
        const mean = this.p[i]! * 15;
        return (this.v[i] = this.v[i]! + Math.max(0, Math.round(mean + this.gauss() * Math.sqrt(mean))));
      }
      default: {
        const arr = this.nab[this.nabIdx[i]!]!;
        const pos = this.nabPos[i]!;
        this.nabPos[i] = (pos + 1) % arr.length;
        return arr[pos]!;
      }
    }
  }

  labels(i: number): Record<string, string> {
    const k = KINDS[this.kind[i]!]!;
    return { __name__: k, instance: `host-${Math.floor(i / 100)}:9100`, job: 'node', series: String(i % 100) };
  }
}

export interface NabSeries {
  t: Float64Array;
  v: Float64Array;
}

/** Every NAB series (timestamps in ms, values). Empty when the data set is absent. */
export function loadNab(root: string): NabSeries[] {
  const out: NabSeries[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.csv')) {
        const t: number[] = [];
        const v: number[] = [];
        for (const line of readFileSync(p, 'utf8').split('\n').slice(1)) {
          if (!line.trim()) continue;
          const [when, value] = line.split(',');
          t.push(Date.parse(when!.replace(' ', 'T') + 'Z'));
          v.push(Number(value));
        }
        out.push({ t: Float64Array.from(t), v: Float64Array.from(v) });
      }
    }
  };
  try {
    walk(root);
  } catch {
    return [];
  }
  return out;
}
