// An isolation forest packed for scoring. Scoring waits on memory, not arithmetic
// (a host's forest is larger than the cache, so each step of a path is a load), so
// a node is 16 bytes, not 32: four to a cache line, and a host's forest of 100
// trees is 800 kB instead of 1.6 MB.
//
// A node is [right child << FEATURE_BITS | feature (int32), split, min, max (float32)];
// a leaf is [-1, c(size)]. The left child is always the next node (trees are laid out
// depth first). Thresholds are float32 relative to a per-feature origin (the first
// node splitting on that feature keeps its min there), so they keep their precision
// whatever the magnitude of the values (bytes near 1e12 vary by a few thousand).

/** Slots of a node in snapshots before version 4 (float64; version 1's are converted to them): [right * dim + feature, split, min, max]; a leaf is [-1, c(size)]. */
export const WIDE_NODE = 4;
/** A node's first word: right child << FEATURE_BITS | feature. */
export const FEATURE_BITS = 11;
/** Largest feature count and node count (trees * (2 * sampleSize - 1)) a packed forest holds. */
export const MAX_FEATURES = 1 << FEATURE_BITS;
export const MAX_NODES = 1 << (31 - FEATURE_BITS);
const FEATURE_MASK = MAX_FEATURES - 1;
/** Trees walked together when scoring (see meanPath). */
const LANES = 4;

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** The largest float32 at or below x. */
export function float32Down(x: number): number {
  const f = Math.fround(x);
  if (f <= x || Number.isNaN(f)) return f;
  return stepFloat32(f, -1);
}

/** The smallest float32 at or above x. */
export function float32Up(x: number): number {
  const f = Math.fround(x);
  if (f >= x || Number.isNaN(f)) return f;
  return stepFloat32(f, 1);
}

/** The float32 next to f (itself a float32) in direction dir. */
function stepFloat32(f: number, dir: 1 | -1): number {
  if (f === 0) return dir * 2 ** -149;
  f32[0] = f;
  // Positive floats order like their bits; negative ones in reverse.
  i32[0] += f > 0 ? dir : -dir;
  return f32[0]!;
}

export class PackedForest {
  private readonly words: Int32Array;
  private readonly thresholds: Float32Array;
  private readonly shifted: Float64Array;
  private readonly cursor = new Int32Array(LANES);
  private readonly depth = new Int32Array(LANES);
  private readonly paths: Float64Array;

  private constructor(
    /** The nodes: 4 words each, int32 and float32 views of one buffer. */
    buffer: ArrayBuffer,
    readonly roots: Int32Array,
    /** Per feature, what thresholds are relative to. */
    readonly origin: Float64Array,
  ) {
    this.words = new Int32Array(buffer);
    this.thresholds = new Float32Array(buffer);
    this.shifted = new Float64Array(origin.length);
    this.paths = new Float64Array(roots.length);
    this.check();
  }

  /**
   * Every walk must end: roots are nodes, and an inner node's children come after it
   * (left next, right further on) and its feature is one of the row's. A snapshot
   * that breaks this (damaged, or from elsewhere) is refused rather than walked.
   */
  private check(): void {
    const count = this.words.length >> 2;
    const dim = this.origin.length;
    for (const r of this.roots) if (!(r >= 0 && r < count)) throw new Error(`packed forest: root ${r} is not one of its ${count} nodes`);
    for (let id = 0; id < count; id++) {
      const w = this.words[id << 2]!;
      if (w < 0) continue;
      const right = w >>> FEATURE_BITS;
      if (!(right > id + 1 && right < count) || (w & FEATURE_MASK) >= dim) throw new Error(`packed forest: node ${id} points outside the forest`);
    }
  }

  static empty(dim: number): PackedForest {
    return new PackedForest(new ArrayBuffer(0), new Int32Array(0), new Float64Array(dim));
  }

  get trees(): number {
    return this.roots.length;
  }

  /**
   * Packs the first `count` wide nodes (WIDE_NODE float64 slots each, as snapshots before version
   * 4 hold them) as tree-grower.ts packs the nodes it grows: the same bytes for the same trees.
   */
  static fromWide(wide: Float64Array, count: number, dim: number, roots: Int32Array): PackedForest {
    if (dim > MAX_FEATURES || count > MAX_NODES) throw new RangeError(`a packed forest holds at most ${MAX_FEATURES} features and ${MAX_NODES} nodes, not ${dim} and ${count}`);
    const origin = new Float64Array(dim);
    const placed = new Uint8Array(dim);
    for (let id = 0; id < count; id++) {
      const packed = wide[id * WIDE_NODE]!;
      if (packed < 0) continue;
      const q = packed - Math.floor(packed / dim) * dim;
      if (placed[q] === 0) {
        origin[q] = wide[id * WIDE_NODE + 2]!;
        placed[q] = 1;
      }
    }
    const buffer = new ArrayBuffer(count * 16);
    const words = new Int32Array(buffer);
    const th = new Float32Array(buffer);
    for (let id = 0; id < count; id++) {
      const a = id * WIDE_NODE;
      const o = id * 4;
      const packed = wide[a]!;
      if (packed < 0) {
        words[o] = -1;
        th[o + 1] = wide[a + 1]!;
        continue;
      }
      const right = Math.floor(packed / dim);
      const q = packed - right * dim;
      const at = origin[q]!;
      words[o] = (right << FEATURE_BITS) | q;
      th[o + 1] = wide[a + 1]! - at;
      // Widened outwards, so every row the node saw stays inside its range.
      th[o + 2] = float32Down(wide[a + 2]! - at);
      th[o + 3] = float32Up(wide[a + 3]! - at);
    }
    return new PackedForest(buffer, roots, origin);
  }

  /** The nodes as bytes (for snapshots). */
  get nodeBytes(): Uint8Array {
    return new Uint8Array(this.words.buffer);
  }

  static fromBytes(nodes: Uint8Array, roots: Int32Array, origin: Float64Array): PackedForest {
    if (nodes.byteLength % 16 !== 0) throw new Error(`packed forest nodes: ${nodes.byteLength} bytes is not a whole number of 16-byte nodes`);
    // A copy into a buffer of its own: a decoded Buffer may be a view into a shared pool.
    return new PackedForest(Uint8Array.prototype.slice.call(nodes).buffer, roots, origin);
  }

  /**
   * Mean path length over the trees of the row f[off .. off + dim) (NaN without trees). The trees are
   * walked LANES at a time in lockstep, so the loads of independent walks overlap
   * instead of waiting one after another. Paths are summed in tree order, so the
   * result does not depend on the walking order.
   */
  meanPath(f: Float64Array, off: number): number {
    return this.pathSum(f, off) / this.roots.length;
  }

  /** The sum of the path lengths over the trees (see meanPath). */
  pathSum(f: Float64Array, off: number): number {
    const origin = this.origin;
    const x = this.shifted;
    for (let q = 0; q < x.length; q++) x[q] = f[off + q]! - origin[q]!;
    const words = this.words;
    const th = this.thresholds;
    const roots = this.roots;
    const trees = roots.length;
    const cursor = this.cursor;
    const depth = this.depth;
    const paths = this.paths;
    for (let base = 0; base < trees; base += LANES) {
      const lanes = Math.min(LANES, trees - base);
      for (let k = 0; k < lanes; k++) {
        cursor[k] = roots[base + k]!;
        depth[k] = 0;
      }
      for (let walking = lanes; walking > 0; ) {
        walking = 0;
        for (let k = 0; k < lanes; k++) {
          const id = cursor[k]!;
          if (id < 0) continue;
          const o = id << 2;
          const w = words[o]!;
          if (w < 0) {
            paths[base + k] = depth[k]! + th[o + 1]!;
            cursor[k] = -1;
            continue;
          }
          const v = x[w & FEATURE_MASK]!;
          // A query outside the node's range of its feature is isolated here.
          if (v < th[o + 2]! || v > th[o + 3]!) {
            paths[base + k] = depth[k]! + 1;
            cursor[k] = -1;
            continue;
          }
          cursor[k] = v < th[o + 1]! ? id + 1 : w >>> FEATURE_BITS;
          depth[k]!++;
          walking++;
        }
      }
    }
    let total = 0;
    for (let tr = 0; tr < trees; tr++) total += paths[tr]!;
    return total;
  }
}
