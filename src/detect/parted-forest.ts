// An isolation forest kept in parts, so that a retraining can regrow some of its trees
// (the oldest part) instead of all of them. Scoring sums the path lengths of every part's
// trees; a forest of one part scores exactly as that part does.
import { PackedForest } from './packed-forest.js';

export class PartedForest {
  /** Trees in all parts. */
  readonly trees: number;

  constructor(
    readonly parts: readonly PackedForest[],
    /** The part the next partial retraining regrows (the oldest). */
    readonly next: number,
  ) {
    if (parts.length === 0 || !(Number.isInteger(next) && next >= 0 && next < parts.length)) throw new Error(`parted forest: part ${next} of ${parts.length}`);
    let trees = 0;
    for (const p of parts) trees += p.trees;
    this.trees = trees;
  }

  static empty(dim: number): PartedForest {
    return new PartedForest([PackedForest.empty(dim)], 0);
  }

  /** This forest with its next part replaced by `part`; the one after it is next. */
  replaceNext(part: PackedForest): PartedForest {
    const parts = this.parts.slice();
    parts[this.next] = part;
    return new PartedForest(parts, (this.next + 1) % parts.length);
  }

  /** Mean path length over every tree of the row f[off .. off + dim). */
  meanPath(f: Float64Array, off: number): number {
    const parts = this.parts;
    if (parts.length === 1) return parts[0]!.meanPath(f, off);
    let total = 0;
    for (let k = 0; k < parts.length; k++) total += parts[k]!.pathSum(f, off);
    return total / this.trees;
  }
}

/** Trees in part k of `parts` parts of `trees`: the first (trees mod parts) parts take one more. */
export function partTrees(trees: number, parts: number, k: number): number {
  return Math.floor(trees / parts) + (k < trees % parts ? 1 : 0);
}
