/**
 * Memory for every series' head, in fixed blocks of BLOCK_SAMPLES samples with each
 * time beside its value, carved from large Float64Array segments shared by all series.
 *
 * Why not two growing arrays per series: an append then touched five cold cache lines
 * (each array's object and its data, times and values apart) besides the series
 * itself, every growth copied the head and allocated two new buffers (external
 * memory, which drives V8's collections), and each sample sat in two places. Here an
 * append writes one line, in a segment whose object every series shares; a block is
 * allocated every BLOCK_SAMPLES appends and freed blocks are reused, lowest first
 * (see `freeBits`). The arena keeps its largest size: segments are never given back.
 */

/** Samples per block: 32 (512 bytes, eight cache lines). */
export const BLOCK_SAMPLES = 32;
export const BLOCK_SHIFT = 5;
export const BLOCK_MASK = BLOCK_SAMPLES - 1;
/** Doubles per block (a time and a value per sample). */
export const BLOCK_DOUBLES = 2 * BLOCK_SAMPLES;
const BLOCK_DOUBLES_SHIFT = BLOCK_SHIFT + 1;
/** Blocks per segment: 8,192 (4 MiB). */
export const SEG_SHIFT = 13;
export const SEG_MASK = (1 << SEG_SHIFT) - 1;
const SEG_DOUBLES = (1 << SEG_SHIFT) * BLOCK_DOUBLES;

export class HeadArena {
  /** Block b is segments[b >>> SEG_SHIFT] from offset blockOffset(b). */
  readonly segments: Float64Array[] = [];
  /**
   * Free blocks as set bits (block b: bit b & 31 of word b >>> 5), handed out lowest id
   * first. Series append in step (each scrape or request names them in the same order),
   * so a trim frees the same generation of blocks in every series, and lowest-first gives
   * the series appending next blocks side by side in their order: an append's line is
   * then next to the previous series' one, which the processor prefetches, where blocks
   * reused in the order they were freed (a stack) scattered the series over the whole
   * arena and a long run's appends slowed to a third of their speed.
   */
  private freeBits = new Int32Array(0);
  /** No free block below word `lowWord`. */
  private lowWord = 0;
  private freeCount = 0;
  /** Blocks ever handed out (ids below it exist). */
  private made = 0;

  /** A block's id: the lowest freed before, or a new one. Its contents are whatever it last held. */
  alloc(): number {
    if (this.freeCount > 0) {
      const free = this.freeBits;
      let w = this.lowWord;
      while (free[w] === 0) w++;
      this.lowWord = w;
      const bits = free[w]!;
      const bit = 31 - Math.clz32(bits & -bits);
      free[w] = bits & ~(1 << bit);
      this.freeCount--;
      return (w << 5) | bit;
    }
    if (this.made === this.segments.length << SEG_SHIFT) {
      this.segments.push(new Float64Array(SEG_DOUBLES));
      const grown = new Int32Array(this.segments.length << (SEG_SHIFT - 5));
      grown.set(this.freeBits);
      this.freeBits = grown;
    }
    return this.made++;
  }

  free(id: number): void {
    const w = id >>> 5;
    this.freeBits[w]! |= 1 << (id & 31);
    if (w < this.lowWord) this.lowWord = w;
    this.freeCount++;
  }

  /** Bytes of the segments. */
  get bytes(): number {
    return this.segments.length * SEG_DOUBLES * 8;
  }

  /** Blocks held by series. */
  get blocksInUse(): number {
    return this.made - this.freeCount;
  }
}

/** Offset of block `id` in its segment, in doubles. */
export function blockOffset(id: number): number {
  return (id & SEG_MASK) << BLOCK_DOUBLES_SHIFT;
}
