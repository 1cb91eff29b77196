import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, tempDir } from './helpers.js';
import type { EmbeddedStore } from '../../src/store/embedded-store.js';
import type { AppendResult } from '../../src/store/types.js';
import { mulberry32 } from '../../src/core/mulberry32.js';

/**
 * Random operations against a reference model of the write rules: appends in and out
 * of order, duplicates, checkpoints (whole, or a slice at a time with appends and crashes
 * between the slices), clean restarts and crashes (abandon without checkpoint), with tiny
 * chunks and a tiny head window so that every path runs: pieces, resealing, head trimming,
 * reading sealed chunks back for late samples.
 */

const rng = mulberry32;

class Model {
  readonly series = new Map<string, Map<number, number>>();
  readonly last = new Map<string, number>();

  constructor(private readonly ooo: number) {}

  /** Mirrors the store's rules (retention is out of the picture here). */
  append(key: string, t: number, v: number): 'ok' | 'out_of_order' | 'duplicate' {
    let m = this.series.get(key);
    if (!m) this.series.set(key, (m = new Map()));
    const last = this.last.get(key) ?? -Infinity;
    if (t > last) {
      m.set(t, v);
      this.last.set(key, t);
      return 'ok';
    }
    if (t < last - this.ooo && t !== last) return 'out_of_order';
    if (m.has(t)) return Object.is(m.get(t), v) ? 'ok' : 'duplicate';
    m.set(t, v);
    return 'ok';
  }
}

function check(store: EmbeddedStore, model: Model, where: string): void {
  const got = new Map<string, Array<[number, number]>>();
  for (const s of store.read([{ name: '__name__', type: '=', value: 'm' }], -Infinity, Infinity)) got.set(s.labels.k!, [...s.timestamps].map((t, i) => [t, s.values[i]!]));
  for (const [key, m] of model.series) {
    const want = [...m].sort((a, b) => a[0] - b[0]);
    assert.deepEqual(got.get(key) ?? [], want, `${where}: series ${key}`);
  }
}

for (const [seed, ooo] of [
  [1, 0],
  [2, 40],
  [3, 200],
  [4, 40],
  [5, 0],
  [6, 40],
] as const) {
  test(`random operations match the model (seed ${seed}, out-of-order window ${ooo} ms)`, (t) => {
    const dir = tempDir(t);
    const r = rng(seed);
    const opts = { chunkSamples: 5, headWindowMs: 30, outOfOrderWindowMs: ooo, retentionMs: 1e12 };
    let store = open(dir, opts);
    const model = new Model(ooo);
    const keys = ['a', 'b', 'c'];
    const clock = new Map(keys.map((k) => [k, 1000]));
    let crashes = 0;
    for (let step = 0; step < 1500; step++) {
      const op = r();
      if (op < 0.015) {
        store.checkpoint();
      } else if (op < 0.03) {
        // A checkpoint a slice at a time, stepped between the operations below.
        store.beginCheckpoint();
      } else if (op < 0.04) {
        store.close();
        store = open(dir, opts);
      } else if (op < 0.05) {
        store.abandon();
        crashes++;
        store = open(dir, opts);
      } else if (op < 0.2) {
        store.checkpointStep(1);
      } else {
        const key = keys[Math.floor(r() * keys.length)]!;
        const n = 1 + Math.floor(r() * 4);
        const ts: number[] = [];
        const vs: number[] = [];
        for (let i = 0; i < n; i++) {
          let c = clock.get(key)!;
          const kind = r();
          if (kind < 0.7) c += 1 + Math.floor(r() * 10);
          // Late samples, some beyond the window, and exact repeats.
          const tt = kind < 0.7 ? c : kind < 0.9 ? c - Math.floor(r() * (ooo + 60)) : c;
          clock.set(key, c);
          ts.push(tt);
          vs.push(r() < 0.5 ? 1 : Math.floor(r() * 4) / 2);
        }
        const expect: AppendResult = { accepted: 0, rejected: {} };
        for (let i = 0; i < n; i++) {
          const res = model.append(key, ts[i]!, vs[i]!);
          if (res === 'ok') expect.accepted++;
          else expect.rejected[res] = (expect.rejected[res] ?? 0) + 1;
        }
        const got = r() < 0.5 ? store.append([{ labels: { __name__: 'm', k: key }, timestamps: ts, values: vs }]) : store.appendRefs(ts.map(() => store.ref({ k: key, __name__: 'm' })), ts, vs, n);
        assert.deepEqual(got, expect, `step ${step}: ${key} ${JSON.stringify(ts)} ${JSON.stringify(vs)}`);
      }
      if (step % 100 === 99) check(store, model, `step ${step}`);
    }
    check(store, model, 'end');
    store.checkpoint();
    let total = 0;
    for (const m of model.series.values()) total += m.size;
    assert.equal(store.chunkPayload().samples, total, 'every sample exactly once on disk');
    store.close();
    store = open(dir, opts);
    check(store, model, 'reopened');
    store.close();
    t.diagnostic(`${total} samples, ${crashes} crashes`);
  });
}
