import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IsolationTreeGrower, avgPath, heightLimit, type FeatureReader } from '../../src/detect/tree-grower.js';
import { FEATURE_BITS } from '../../src/detect/packed-forest.js';
import { gaussian } from './synthetic.js';

/** A window of `rows` rows of `dim` Gaussian features, as columns (feature q of row r at q * rows + r). */
function windowOf(rows: number, dim: number, seed: number): Float64Array {
  const g = gaussian(seed);
  const columns = new Float64Array(rows * dim);
  for (let i = 0; i < columns.length; i++) columns[i] = 10 * g();
  return columns;
}

function grow(columns: Float64Array | null, window: Float64Array, opts: { rows: number; dim: number; psi: number; trees: number; rng: number }) {
  const grower = new IsolationTreeGrower();
  const read: FeatureReader = (q, idx, lo, hi, vals) => {
    for (let i = lo; i < hi; i++) vals[i] = window[q * opts.rows + idx[i]!]!;
  };
  grower.begin({ available: opts.rows, psi: opts.psi, dim: opts.dim, maxNodes: opts.trees * (2 * opts.psi - 1), columns, read, rng: opts.rng });
  const roots = new Int32Array(opts.trees);
  for (let t = 0; t < opts.trees; t++) roots[t] = grower.tree();
  return { forest: grower.forest(roots), rng: grower.rng, roots };
}

describe('isolation tree grower', () => {
  const shape = { rows: 512, dim: 12, psi: 256, trees: 20, rng: 7 };
  const window = windowOf(shape.rows, shape.dim, 3);

  it('lays trees out depth first: left child next, right child further on, leaves holding c(size)', () => {
    const { forest, roots } = grow(window, window, shape);
    const words = new Int32Array(forest.nodeBytes.buffer);
    const th = new Float32Array(forest.nodeBytes.buffer);
    const nodes = words.length / 4;
    const leafValues = new Set(Array.from({ length: shape.psi + 1 }, (_, n) => Math.fround(avgPath(n))));
    let leaves = 0;
    for (let id = 0; id < nodes; id++) {
      const w = words[id * 4]!;
      if (w < 0) {
        leaves++;
        assert.ok(leafValues.has(th[id * 4 + 1]!), `leaf ${id} holds c(n) of its rows`);
        continue;
      }
      const right = w >>> FEATURE_BITS;
      const q = w & ((1 << FEATURE_BITS) - 1);
      assert.ok(right > id + 1 && right < nodes, `node ${id}: right child ${right}`);
      assert.ok(q < shape.dim);
      const [split, min, max] = [th[id * 4 + 1]!, th[id * 4 + 2]!, th[id * 4 + 3]!];
      assert.ok(min <= split && split <= max && min < max, `node ${id}: ${min} <= ${split} <= ${max}`);
    }
    // A binary tree of n leaves has n - 1 inner nodes.
    assert.equal(nodes - leaves, leaves - shape.trees);
    assert.equal(roots[0], 0);
    // No node lies deeper than the height limit, ceil(log2 psi).
    let deepest = 0;
    const stack: Array<[number, number]> = [...roots].map((r) => [r, 0]);
    while (stack.length > 0) {
      const [id, depth] = stack.pop()!;
      deepest = Math.max(deepest, depth);
      const w = words[id * 4]!;
      if (w >= 0) stack.push([id + 1, depth + 1], [w >>> FEATURE_BITS, depth + 1]);
    }
    assert.equal(heightLimit(shape.psi), 8);
    assert.ok(deepest <= 8 && deepest >= 6, `deepest node at ${deepest}`);
  });

  it('grows the same trees from the same window and seed, whether it reads features from columns or per node', () => {
    const a = grow(window, window, shape);
    const b = grow(window, window, shape);
    const perNode = grow(null, window, shape);
    assert.deepEqual(a.forest.nodeBytes, b.forest.nodeBytes);
    assert.deepEqual(a.forest.nodeBytes, perNode.forest.nodeBytes);
    assert.deepEqual(a.forest.origin, perNode.forest.origin);
    assert.equal(a.rng, perNode.rng, 'the random state moves on by the same draws');
    const other = grow(window, window, { ...shape, rng: 8 });
    assert.notDeepEqual(other.forest.nodeBytes, a.forest.nodeBytes);
  });

  it('isolates a row far outside the window in fewer steps than the window rows', () => {
    const { forest } = grow(window, window, { ...shape, trees: 100 });
    const row = new Float64Array(shape.dim);
    const paths: number[] = [];
    for (let r = 0; r < shape.rows; r++) {
      for (let q = 0; q < shape.dim; q++) row[q] = window[q * shape.rows + r]!;
      paths.push(forest.meanPath(row, 0));
    }
    paths.sort((a, b) => a - b);
    // Row 0 with one of its twelve features 20 standard deviations out.
    for (let q = 0; q < shape.dim; q++) row[q] = window[q * shape.rows]!;
    row[5] = 200;
    const outlier = forest.meanPath(row, 0);
    assert.ok(outlier < paths[Math.floor(shape.rows / 100)]!, `outlier ${outlier.toFixed(2)} steps; window rows: 1st percentile ${paths[5]!.toFixed(2)}, median ${paths[256]!.toFixed(2)}`);
  });

  it('reuses its buffers across trainings without leaving stale node slots behind', () => {
    const grower = new IsolationTreeGrower();
    const read: FeatureReader = () => {};
    const small = windowOf(64, 4, 9);
    // A larger training first, then a smaller one into the same buffer.
    grower.begin({ available: shape.rows, psi: shape.psi, dim: shape.dim, maxNodes: 20 * 511, columns: window, read, rng: 1 });
    for (let t = 0; t < 20; t++) grower.tree();
    grower.begin({ available: 64, psi: 32, dim: 4, maxNodes: 5 * 63, columns: small, read, rng: 2 });
    const roots = Int32Array.from({ length: 5 }, () => grower.tree());
    const reused = grower.forest(roots);
    const fresh = new IsolationTreeGrower();
    fresh.begin({ available: 64, psi: 32, dim: 4, maxNodes: 5 * 63, columns: small, read, rng: 2 });
    const roots2 = Int32Array.from({ length: 5 }, () => fresh.tree());
    assert.deepEqual(reused.nodeBytes, fresh.forest(roots2).nodeBytes);
    assert.deepEqual(reused.origin, fresh.forest(roots2).origin);
  });
});
