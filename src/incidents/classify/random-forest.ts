import { mulberry32 } from '../../core/mulberry32.js';

/**
 * A random forest classifier (Breiman 2001) on typed arrays: CART trees grown
 * on bootstrap samples, each split chosen by Gini impurity among a random
 * subset of sqrt(d) features, leaves holding class frequencies; the forest's
 * probability is the mean over trees. Seeded, so training is reproducible.
 *
 * Rows are stored row-major in one Float64Array (n rows of d features).
 */

export interface ForestOptions {
  trees: number;
  maxDepth: number;
  /** Smallest number of samples in a leaf. */
  minLeaf: number;
  /** Features tried per split; default round(sqrt(d)). */
  featuresPerSplit?: number;
  seed: number;
}

export const DEFAULT_FOREST: ForestOptions = { trees: 64, maxDepth: 8, minLeaf: 1, seed: 1 };

/** One tree as parallel arrays; node 0 is the root, feature -1 marks a leaf. */
interface Tree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** nodes x classes. */
  probs: Float64Array;
}

export class RandomForest {
  private constructor(
    readonly dims: number,
    readonly classes: number,
    private readonly trees: Tree[],
  ) {}

  /** Trains on `x` (n x dims, row-major) with labels `y` in [0, classes). */
  static train(x: Float64Array, y: Int32Array, dims: number, classes: number, opts: Partial<ForestOptions> = {}): RandomForest {
    const o = { ...DEFAULT_FOREST, ...opts };
    const n = y.length;
    if (n === 0) throw new RangeError('a random forest needs at least one training row');
    if (x.length !== n * dims) throw new RangeError(`x has ${x.length} values, expected ${n} rows x ${dims} features`);
    for (let i = 0; i < n; i++) if (y[i] < 0 || y[i] >= classes) throw new RangeError(`label ${y[i]} of row ${i} is outside [0, ${classes})`);
    const rand = mulberry32(o.seed);
    const mtry = Math.max(1, Math.min(dims, o.featuresPerSplit ?? Math.round(Math.sqrt(dims))));
    const trees: Tree[] = [];
    for (let t = 0; t < o.trees; t++) {
      const sample = new Int32Array(n);
      for (let i = 0; i < n; i++) sample[i] = Math.floor(rand() * n);
      trees.push(grow(x, y, dims, classes, sample, mtry, o, rand));
    }
    return new RandomForest(dims, classes, trees);
  }

  /** Class probabilities for one row (mean of the trees' leaf frequencies). */
  predict(row: ArrayLike<number>, out = new Float64Array(this.classes)): Float64Array {
    out.fill(0);
    for (const t of this.trees) {
      let node = 0;
      while (t.feature[node] >= 0) node = row[t.feature[node]] <= t.threshold[node] ? t.left[node] : t.right[node];
      const base = node * this.classes;
      for (let c = 0; c < this.classes; c++) out[c] += t.probs[base + c];
    }
    for (let c = 0; c < this.classes; c++) out[c] /= this.trees.length;
    return out;
  }
}

/** Grows one tree depth-first; nodes are appended to growable arrays, then trimmed. */
function grow(x: Float64Array, y: Int32Array, dims: number, classes: number, rows: Int32Array, mtry: number, o: ForestOptions, rand: () => number): Tree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const probs: number[] = [];
  const counts = new Float64Array(classes);
  const featureOrder = new Int32Array(dims);
  const values = new Float64Array(rows.length);

  const build = (idx: Int32Array, depth: number): number => {
    const node = feature.length;
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    counts.fill(0);
    for (let i = 0; i < idx.length; i++) counts[y[idx[i]]]++;
    for (let c = 0; c < classes; c++) probs.push(counts[c] / idx.length);
    const pure = counts.some((c) => c === idx.length);
    if (pure || depth >= o.maxDepth || idx.length < 2 * o.minLeaf) return node;
    const split = bestSplit(idx);
    if (!split) return node;
    const l = new Int32Array(split.leftCount);
    const r = new Int32Array(idx.length - split.leftCount);
    let li = 0;
    let ri = 0;
    for (let i = 0; i < idx.length; i++) {
      const row = idx[i];
      if (x[row * dims + split.feature] <= split.threshold) l[li++] = row;
      else r[ri++] = row;
    }
    feature[node] = split.feature;
    threshold[node] = split.threshold;
    left[node] = build(l, depth + 1);
    right[node] = build(r, depth + 1);
    return node;
  };

  const bestSplit = (idx: Int32Array): { feature: number; threshold: number; leftCount: number } | undefined => {
    // A random subset of features: a partial Fisher-Yates shuffle.
    for (let f = 0; f < dims; f++) featureOrder[f] = f;
    for (let k = 0; k < mtry; k++) {
      const j = k + Math.floor(rand() * (dims - k));
      const tmp = featureOrder[k];
      featureOrder[k] = featureOrder[j];
      featureOrder[j] = tmp;
    }
    const n = idx.length;
    const total = new Float64Array(classes);
    for (let i = 0; i < n; i++) total[y[idx[i]]]++;
    const parentGini = gini(total, n);
    let best: { feature: number; threshold: number; leftCount: number } | undefined;
    let bestGain = 1e-12;
    const order = Array.from(idx);
    const leftCounts = new Float64Array(classes);
    const rightCounts = new Float64Array(classes);
    for (let k = 0; k < mtry; k++) {
      const f = featureOrder[k];
      order.sort((a, b) => x[a * dims + f] - x[b * dims + f]);
      for (let i = 0; i < n; i++) values[i] = x[order[i] * dims + f];
      if (values[0] === values[n - 1]) continue;
      leftCounts.fill(0);
      rightCounts.set(total);
      for (let i = 0; i < n - 1; i++) {
        const c = y[order[i]];
        leftCounts[c]++;
        rightCounts[c]--;
        if (values[i] === values[i + 1]) continue;
        const nl = i + 1;
        const nr = n - nl;
        if (nl < o.minLeaf || nr < o.minLeaf) continue;
        const gain = parentGini - (nl / n) * gini(leftCounts, nl) - (nr / n) * gini(rightCounts, nr);
        if (gain > bestGain) {
          bestGain = gain;
          best = { feature: f, threshold: (values[i] + values[i + 1]) / 2, leftCount: nl };
        }
      }
    }
    return best;
  };

  build(rows, 0);
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    probs: Float64Array.from(probs),
  };
}

function gini(counts: Float64Array, n: number): number {
  let s = 1;
  for (let c = 0; c < counts.length; c++) {
    const p = counts[c] / n;
    s -= p * p;
  }
  return s;
}
