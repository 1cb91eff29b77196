/**
 * Memory for every series' head, in fixed blocks of BLOCK_SAMPLES samples with each
 * time beside its value, carved from large Float64Array segments shared by all series.
 *
 * Why not two growing arrays per series: an append then touched five cold cache lines
 * (each array's object and its data, times and values apart) besides the series
 * itself, every growth copied the head and allocated two new buffers (external
 * memory, which drives V8's collections), and each sample sat in two places. Here an
 * append writes one line, in a segment whose object every series shares; a block is
 * allocated every BLOCK_SAMPLES appends and freed blocks are reused, newest first
 * (still warm). The arena keeps its largest size: segments are never given back.
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
  private readonly freed: number[] = [];
  /** Blocks ever handed out (ids below it exist). */
  private made = 0;

  /** A block's id: one freed before, or a new one. Its contents are whatever it last held. */
  alloc(): number {
    const f = this.freed.pop();
    if (f !== undefined) return f;
    if (this.made === this.segments.length << SEG_SHIFT) this.segments.push(new Float64Array(SEG_DOUBLES));
    return this.made++;
  }

  free(id: number): void {
    this.freed.push(id);
  }

  /** Bytes of the segments. */
  get bytes(): number {
    return this.segments.length * SEG_DOUBLES * 8;
  }

  /** Blocks held by series. */
  get blocksInUse(): number {
    return this.made - this.freed.length;
  }
}

/** Offset of block `id` in its segment, in doubles. */
export function blockOffset(id: number): number {
  return (id & SEG_MASK) << BLOCK_DOUBLES_SHIFT;
}
