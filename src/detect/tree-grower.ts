// Grows the isolation trees of one training (Liu, Ting & Zhou 2008), written straight
// into packed-forest.ts's node layout (16 bytes a node, thresholds as float32 relative to a
// per-feature origin: the min of the first node, in id order, that splits on the feature).
//
// A class with the training's arrays as fields, not a closure made per training: a new
// closure each time is a new call target, and V8 threw away the optimised training
// code ("wrong call target") every few trainings, so trees were grown unoptimised.
import { MULBERRY32_STEP, mulberry32Mix } from '../core/mulberry32.js';
import { FEATURE_BITS, PackedForest, float32Down, float32Up } from './packed-forest.js';

/** vals[i] = feature q of the window row idx[i], for i in [lo, hi). */
export type FeatureReader = (q: number, idx: Int32Array, lo: number, hi: number, vals: Float64Array) => void;

export interface GrowerSetup {
  /** Rows of the window to sample from. */
  available: number;
  /** Rows per tree (psi). */
  psi: number;
  dim: number;
  /** Most nodes the trees may take: trees * (2 * psi - 1). */
  maxNodes: number;
  /** Feature q of window row r at columns[q * available + r]; or null to read them per node with `read`. */
  columns: Float64Array | null;
  read: FeatureReader;
  /** mulberry32 state: trees depend on it alone (given the window), so a restored forest grows the same trees. */
  rng: number;
}

export class IsolationTreeGrower {
  /** mulberry32 state after the trees grown so far. */
  rng = 1;
  /** Nodes written so far. */
  count = 0;
  /** The nodes, 4 words each: int32 and float32 views of one buffer (reused by every training on this thread). */
  private words = new Int32Array(0);
  private th = new Float32Array(0);
  /** Per feature, what thresholds are relative to, and whether it is set yet. */
  private origin = new Float64Array(0);
  private placed = new Uint8Array(0);
  private columns: Float64Array | null = null;
  private read: FeatureReader = () => {};
  private available = 0;
  private psi = 0;
  private dim = 0;
  private maxDepth = 0;
  /** The rows of the tree being grown, by position (partitioned in place as it grows). */
  private idx = new Int32Array(0);
  /** The split feature's values of a node's rows, by their position in idx (per-node reads). */
  private vals = new Float64Array(0);
  /** Shuffled window rows: the first psi are a tree's sample. */
  private pool = new Int32Array(0);
  /** c(n) for n rows: a leaf keeps it, so scoring takes no logarithm per tree. */
  private leafPath = new Float64Array(0);

  begin(s: GrowerSetup): void {
    if (this.words.length < s.maxNodes * 4) {
      const buffer = new ArrayBuffer(s.maxNodes * 16);
      this.words = new Int32Array(buffer);
      this.th = new Float32Array(buffer);
    }
    if (this.origin.length < s.dim) {
      this.origin = new Float64Array(s.dim);
      this.placed = new Uint8Array(s.dim);
    }
    this.origin.fill(0, 0, s.dim);
    this.placed.fill(0, 0, s.dim);
    this.columns = s.columns;
    this.read = s.read;
    this.available = s.available;
    this.psi = s.psi;
    this.dim = s.dim;
    this.rng = s.rng;
    this.count = 0;
    this.maxDepth = heightLimit(s.psi);
    if (this.idx.length < s.psi) {
      this.idx = new Int32Array(s.psi);
      this.vals = new Float64Array(s.psi);
    }
    if (this.pool.length < s.available) this.pool = new Int32Array(s.available);
    if (this.leafPath.length < s.psi + 1) this.leafPath = new Float64Array(s.psi + 1);
    for (let n = 0; n <= s.psi; n++) this.leafPath[n] = avgPath(n);
  }

  /** Grows one tree on psi distinct rows of the window; returns its root's id. */
  tree(): number {
    const { pool, idx, psi, available } = this;
    // Partial Fisher-Yates over the window's rows.
    for (let i = 0; i < available; i++) pool[i] = i;
    for (let i = 0; i < psi; i++) {
      const j = i + Math.floor(this.random() * (available - i));
      const tmp = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = tmp;
      idx[i] = pool[i]!;
    }
    return this.node(0, psi, 0);
  }

  /** The trees grown since begin(), packed for scoring. */
  forest(roots: Int32Array): PackedForest {
    return PackedForest.fromBytes(new Uint8Array(this.words.buffer, 0, this.count * 16), roots, this.origin.slice(0, this.dim));
  }

  /** The node over rows idx[lo, hi), and its subtree (left child next, right after it). */
  private node(lo: number, hi: number, depth: number): number {
    const words = this.words;
    const th = this.th;
    const id = this.count++;
    const o = id << 2;
    const size = hi - lo;
    // A leaf: [-1, c(size)], so scoring takes no logarithm per tree.
    words[o] = -1;
    th[o + 1] = this.leafPath[size]!;
    // Cleared: the buffer is reused, and a snapshot holds every slot.
    th[o + 2] = 0;
    th[o + 3] = 0;
    if (size <= 1 || depth >= this.maxDepth) return id;
    const dim = this.dim;
    const idx = this.idx;
    const columns = this.columns;
    const available = this.available;
    // Pick a feature with spread among these rows; give up after a few tries.
    for (let attempt = 0; attempt < 8; attempt++) {
      const q = Math.floor(this.random() * dim);
      let min = Infinity, max = -Infinity;
      if (columns === null) {
        const vals = this.vals;
        this.read(q, idx, lo, hi, vals);
        for (let i = lo; i < hi; i++) {
          const v = vals[i]!;
          if (v < min) min = v;
          if (v > max) max = v;
        }
      } else {
        const at = q * available;
        for (let i = lo; i < hi; i++) {
          const v = columns[at + idx[i]!]!;
          if (v < min) min = v;
          if (v > max) max = v;
        }
      }
      if (!(max > min)) continue;
      const split = min + this.random() * (max - min);
      const mid = columns === null ? partitionByPosition(idx, lo, hi, this.vals, split) : partitionByRow(idx, lo, hi, columns, q * available, split);
      // Ids follow creation, and a node picks its feature before its children are made:
      // the first node to pick q is the first by id, as PackedForest.fromWide finds it.
      if (this.placed[q] === 0) {
        this.origin[q] = min;
        this.placed[q] = 1;
      }
      const at = this.origin[q]!;
      th[o + 1] = split - at;
      // Widened outwards, so every row the node saw stays inside its range.
      th[o + 2] = float32Down(min - at);
      th[o + 3] = float32Up(max - at);
      this.node(lo, mid, depth + 1); // the left child: node id + 1
      words[o] = (this.node(mid, hi, depth + 1) << FEATURE_BITS) | q;
      return id;
    }
    return id;
  }

  private random(): number {
    // mulberry32, with its state kept here: a saved forest stores it and grows on from it.
    this.rng = (this.rng + MULBERRY32_STEP) >>> 0;
    return mulberry32Mix(this.rng);
  }
}

/** A tree's height limit for psi rows, ceil(log2 psi): deeper nodes tell nothing about isolation. */
export function heightLimit(psi: number): number {
  return Math.ceil(Math.log2(Math.max(2, psi)));
}

/** Average path length of an unsuccessful BST search among n points: c(n). */
export function avgPath(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649) - (2 * (n - 1)) / n;
}

// Partitions: the rows idx[lo, hi) whose value is below `split` move to the front; each
// returns where they end. Branch-free, since a row goes one way or the other at random and
// a branch would be mispredicted half the time: every row is swapped with the front's end,
// which moves on only past a row below the split. (`+(a < b)`, not `a < b ? 1 : 0`, which
// V8 compiles to a branch: growing a tree took a quarter longer with it.) The order within each side differs from
// a branching partition's, but each side holds the same rows, and a node's split depends
// only on its rows. Position i is read before any swap reaches it.

/** Row r's value is values[base + r]. */
function partitionByRow(idx: Int32Array, lo: number, hi: number, values: Float64Array, base: number, split: number): number {
  let mid = lo;
  for (let i = lo; i < hi; i++) {
    const r = idx[i]!;
    const below = +(values[base + r]! < split);
    idx[i] = idx[mid]!;
    idx[mid] = r;
    mid += below;
  }
  return mid;
}

/** The value of the row at position i is values[i]. */
function partitionByPosition(idx: Int32Array, lo: number, hi: number, values: Float64Array, split: number): number {
  let mid = lo;
  for (let i = lo; i < hi; i++) {
    const r = idx[i]!;
    const below = +(values[i]! < split);
    idx[i] = idx[mid]!;
    idx[mid] = r;
    mid += below;
  }
  return mid;
}
