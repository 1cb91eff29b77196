import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IsolationForestDetector } from '../../src/detect/index.js';
import { float32Down, float32Up } from '../../src/detect/packed-forest.js';
import { STEP, T0, feedSines, gaussian } from './synthetic.js';

describe('packed isolation forest', () => {
  it('rounds thresholds outwards to float32: a node range never shrinks below the rows it saw', () => {
    for (const x of [0, 1, -1, 0.1, -0.1, 1 / 3, 1e-40, -1e-40, 1e12 + 0.5, -123456789.123, 3e38, 1e39]) {
      const lo = float32Down(x);
      const hi = float32Up(x);
      assert.ok(lo <= x && x <= hi, `${x}: [${lo}, ${hi}]`);
      assert.equal(Math.fround(lo), lo);
      assert.equal(Math.fround(hi), hi);
      // Tight: no float32 strictly between lo and x, or between x and hi.
      if (lo !== x && Number.isFinite(lo)) assert.ok(float32Up(lo + (x - lo) / 2) >= x || lo + (x - lo) / 2 === lo);
    }
    assert.equal(float32Down(0.1) < 0.1, true);
    assert.equal(float32Up(0.1) > 0.1, true);
  });

  it('keeps its resolution at large magnitudes: byte gauges near 1e12 with a spread of a few hundred', () => {
    // float32 alone resolves 1e12 to 65,536, far coarser than the spread and the
    // anomaly; thresholds relative to each feature's origin keep them apart.
    for (let seed = 1; seed <= 4; seed++) {
      const g = gaussian(5);
      const f = new IsolationForestDetector(2, { seed, window: 512 });
      let at700 = 0;
      for (let i = 0; i < 800; i++) {
        const a = 1e12 + 1000 + 100 * g();
        const b = 5e11 + 1000 + 100 * g();
        const r = f.update(T0 + i * STEP, [i === 700 ? a + 3000 : a, b]);
        if (i === 700) at700 = r.score;
      }
      assert.ok(at700 >= 0.98, `seed ${seed}: ${at700}`);
    }
  });

  it('is 16 bytes a node: a 16-metric host forest of 100 trees (psi 256) is under 820 kB', () => {
    const f = new IsolationForestDetector(16, { window: 512 });
    feedSines(f, 16, 600);
    const bytes = Buffer.from(f.snapshot().parts![0]!.nodes, 'base64').length;
    assert.ok(bytes <= 100 * 511 * 16 && bytes > 100 * 100 * 16, `${bytes} bytes`);
  });

  it('restores a small forest from its snapshot exactly (its nodes fit in a pooled Buffer)', () => {
    const cfg = { trees: 2, sampleSize: 8, window: 16, minRows: 8, retrainEvery: 1000 };
    const g = gaussian(2);
    const a = new IsolationForestDetector(2, cfg);
    for (let i = 0; i < 40; i++) a.update(T0 + i * STEP, [10 + g(), 20 + g()]);
    const b = IsolationForestDetector.restore(JSON.parse(JSON.stringify(a.snapshot())));
    assert.ok(Buffer.from(a.snapshot().parts![0]!.nodes, 'base64').length < 1024, 'small enough for the Buffer pool');
    for (let i = 40; i < 60; i++) {
      const row = [10 + g(), i === 50 ? 40 : 20 + g()];
      assert.equal(b.update(T0 + i * STEP, row).raw, a.update(T0 + i * STEP, row).raw);
    }
  });

  it('refuses a damaged snapshot whose nodes point outside the forest, rather than walking it', () => {
    const a = new IsolationForestDetector(1, { trees: 2, sampleSize: 8, window: 16, minRows: 8 });
    for (let i = 0; i < 20; i++) a.update(T0 + i * STEP, [i % 5]);
    const snap = a.snapshot();
    const part = snap.parts![0]!;
    const nodes = Buffer.from(part.nodes, 'base64');
    nodes.writeInt32LE(0, 0); // the first root's right child: node 0, itself
    assert.throws(() => IsolationForestDetector.restore({ ...snap, parts: [{ ...part, nodes: nodes.toString('base64') }] }), /node 0 points outside the forest/);
  });

  it('refuses a configuration too large to pack, naming it', () => {
    assert.throws(() => new IsolationForestDetector(200), /200 metrics.*exceed 2048 features/);
  });
});
