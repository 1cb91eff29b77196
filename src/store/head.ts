import type { Labels } from '../core/labels.js';
import { BLOCK_DOUBLES, BLOCK_MASK, BLOCK_SHIFT, type HeadArena, SEG_SHIFT, blockOffset } from './head-arena.js';

const EMPTY = new Float64Array(0);

/**
 * One series in memory: its identity and its head, the recent samples sorted by time
 * in blocks of the store's HeadArena (a time beside its value; no object per sample).
 *
 * The head is a suffix of the series' history: every sample at or after its first
 * (headStart) is in it. Its prefix [0, persisted) is already in SQLite; [0, sealed) of
 * that is in closed chunks (ending at the indexes in chunkEnds), the rest in "pieces" of
 * the open chunk that the next seal replaces. No SQLite chunk straddles headStart, so
 * reads take disk samples before it and head samples from it on, without duplicates.
 */
export class HeadSeries {
  // Fields in the order V8 lays them out, those every append reads or writes first (lookup
  // hints, ref, count, the write position, the queue flags): with ~24 bytes of header they share
  // the object's first two cache lines, and a series' append misses on fewer cold lines.
  /** A frozen request label set known to name this series, and the series that followed it last time (lookup hints). */
  alias: Labels | undefined = undefined;
  next: HeadSeries | undefined = undefined;
  readonly ref: number;
  /**
   * False for series loaded at open until their time range is read from the chunk index
   * (lazily, at first use: a checkpoint then need not record every series' range).
   */
  rangeKnown = true;
  count = 0;
  /**
   * The arena segment holding the newest sample and the offset just past it there; an
   * offset at a block boundary means the block is full (or there is none), so the next
   * push takes a new one. The newest sample is always at wpos - 2 (when count > 0).
   */
  wseg: Float64Array = EMPTY;
  wpos = 0;
  /** Queued for the next checkpoint. */
  touched = false;
  /** Closed chunks [encodedTo, pendingTo) are with the store's encoder thread (pendingTo = encodedTo: none). */
  pendingTo = 0;
  /** Queued for encoding ahead. */
  aheadQueued = false;
  /** Head samples [0, persisted) are in SQLite. */
  persisted = 0;
  /** Head samples [0, sealed) are in closed chunks; sealed <= persisted. */
  sealed = 0;
  /** Head indexes where the closed chunks in [0, sealed) end (ascending; the last is `sealed`). */
  chunkEnds: number[] = [];
  /** A sample went in below `persisted`: the chunks over the head must be rewritten. */
  dirty = false;
  /**
   * Closed chunks of [sealed, encodedTo), encoded ahead of the checkpoint (which then only
   * inserts them), chunkSamples each. Dropped when a sample goes in below pendingTo.
   */
  ahead: Uint8Array[] = [];
  encodedTo = 0;
  /** Moves whenever the chunks encoded ahead are forgotten, so that answers to older requests are not taken. */
  aheadEpoch = 0;
  /**
   * The newest sample while the head is empty (it is then on disk, or there is none);
   * with samples in the head, the newest is the head's last (the head is a suffix of the
   * series), so an append reads and writes no field of its own for it: one cold line
   * less a sample.
   */
  private tailT = -Infinity;
  private tailV = NaN;
  private tailVKnown = true;
  /** Oldest sample time (disk or head), for series() time filtering. */
  minT = Infinity;
  /** Had no sample at the last retention pass (series without samples get one pass of grace). */
  emptyAtLastRetention = false;
  /** The head's blocks, oldest first: its sample i is sample i + skip of them. */
  private blocks: number[] = [];
  private skip = 0;
  readonly labels: Labels;
  /** Stable series hash, see core/labels.seriesHash. */
  readonly hash: string;
  private readonly arena: HeadArena;

  constructor(ref: number, labels: Labels, hash: string, arena: HeadArena) {
    this.ref = ref;
    this.labels = labels;
    this.hash = hash;
    this.arena = arena;
  }

  /** Newest sample time of the series, in the head or on disk (-Infinity: none yet). */
  get lastT(): number {
    return this.count > 0 ? this.wseg[this.wpos - 2]! : this.tailT;
  }

  /** Its value, when known (see lastVKnown). */
  get lastV(): number {
    return this.count > 0 ? this.wseg[this.wpos - 1]! : this.tailV;
  }

  /** False after a restart until the newest value is read back from disk (only needed for duplicate checks). */
  get lastVKnown(): boolean {
    return this.count > 0 || this.tailVKnown;
  }

  /** The newest sample as the disk's index gives it, for a series whose head is empty: its value is unknown until read back. */
  setDiskTail(t: number): void {
    this.tailT = t;
    this.tailV = NaN;
    this.tailVKnown = false;
  }

  get headStart(): number {
    return this.count > 0 ? this.timeAt(0) : Infinity;
  }

  /** Time of head sample i (0 <= i < count). */
  timeAt(i: number): number {
    return this.segmentOf(i)[this.offsetOf(i)]!;
  }

  /** Value of head sample i (0 <= i < count). */
  valueAt(i: number): number {
    return this.segmentOf(i)[this.offsetOf(i) + 1]!;
  }

  /** Copies head samples [from, to) into ts and vs from index `at` on. */
  copyOut(from: number, to: number, ts: Float64Array, vs: Float64Array, at = 0): void {
    const segments = this.arena.segments;
    let k = from + this.skip;
    const end = to + this.skip;
    while (k < end) {
      const id = this.blocks[k >> BLOCK_SHIFT]!;
      const seg = segments[id >>> SEG_SHIFT]!;
      let o = blockOffset(id) + ((k & BLOCK_MASK) << 1);
      const stop = Math.min(end, ((k >> BLOCK_SHIFT) + 1) << BLOCK_SHIFT);
      for (; k < stop; k++, o += 2) {
        ts[at] = seg[o]!;
        vs[at++] = seg[o + 1]!;
      }
    }
  }

  /** Appends a sample newer than every other (the caller checked). */
  push(t: number, v: number): void {
    let o = this.wpos;
    if ((o & (BLOCK_DOUBLES - 1)) === 0) o = this.newBlock();
    const seg = this.wseg;
    seg[o] = t;
    seg[o + 1] = v;
    this.wpos = o + 2;
    this.count++;
  }

  /** First index whose timestamp is >= t (count when none). */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Inserts at index i, shifting later samples (rare: late samples); marks the series dirty when below `persisted`. */
  insertAt(i: number, t: number, v: number): void {
    const n = this.count;
    // One more place at the end, then every later sample moves up one.
    this.push(t, v);
    for (let j = n; j > i; j--) this.setAt(j, this.timeAt(j - 1), this.valueAt(j - 1));
    this.setAt(i, t, v);
    // Below `persisted` the disk copy is out of date (and chunkEnds off by one):
    // the next checkpoint rewrites every chunk over the head.
    if (i < this.persisted) this.dirty = true;
    if (i < this.pendingTo) this.dropAhead();
  }

  /** Forgets the chunks encoded ahead and those being encoded (they no longer match the head). */
  dropAhead(): void {
    this.ahead = [];
    this.encodedTo = this.pendingTo = this.sealed;
    this.aheadEpoch++;
  }

  /**
   * The encoder thread's bytes for the chunk that was [encodedTo, encodedTo + chunkSamples)
   * when it was copied (at `epoch`, starting at `firstT`): taken, and true, when the head
   * still has that chunk there.
   */
  acceptAhead(epoch: number, firstT: number, bytes: Uint8Array, chunkSamples: number): boolean {
    if (epoch !== this.aheadEpoch || this.pendingTo - this.encodedTo < chunkSamples || this.timeAt(this.encodedTo) !== firstT) return false;
    this.ahead.push(bytes);
    this.encodedTo += chunkSamples;
    return true;
  }

  /** The chunks sent at `epoch` will not come back: they are to encode again. */
  abandonPending(epoch: number): void {
    if (epoch === this.aheadEpoch) this.pendingTo = this.encodedTo;
  }

  /** Drops the closed chunks whose last sample is older than `cutoff` (oldest first, stopping at the first newer one). */
  dropChunksBefore(cutoff: number): void {
    let k = 0;
    for (const e of this.chunkEnds) {
      if (this.timeAt(e - 1) < cutoff) k = e;
      else break;
    }
    this.dropFront(k);
  }

  /** Drops the first k samples (whole closed chunks; the caller picks k from chunkEnds). */
  dropFront(k: number): void {
    if (k <= 0) return;
    if (k >= this.count) {
      this.clear();
      return;
    }
    // Blocks wholly before the new first sample go back to the arena; the newest stays.
    this.skip += k;
    const gone = this.skip >> BLOCK_SHIFT;
    if (gone > 0) {
      for (let j = 0; j < gone; j++) this.arena.free(this.blocks[j]!);
      this.blocks.splice(0, gone);
      this.skip &= BLOCK_MASK;
    }
    this.count -= k;
    this.persisted = Math.max(0, this.persisted - k);
    this.sealed = Math.max(0, this.sealed - k);
    this.encodedTo = Math.max(this.sealed, this.encodedTo - k);
    this.pendingTo = Math.max(this.encodedTo, this.pendingTo - k);
    const ends: number[] = [];
    for (const e of this.chunkEnds) if (e > k) ends.push(e - k);
    this.chunkEnds = ends;
  }

  /** Forgets the head (its samples are on disk); identity and last sample stay. */
  clear(): void {
    if (this.count > 0) {
      this.tailT = this.lastT;
      this.tailV = this.lastV;
      this.tailVKnown = true;
    }
    this.releaseBlocks();
    this.persisted = 0;
    this.sealed = 0;
    this.chunkEnds = [];
    this.dirty = false;
    this.ahead = [];
    this.encodedTo = this.pendingTo = 0;
    this.aheadEpoch++;
  }

  /**
   * Puts older samples, read back from closed chunks on disk, in front of the head.
   * `ends` are the chunk ends within the prepended run.
   */
  prepend(ts: Float64Array, vs: Float64Array, n: number, ends: readonly number[]): void {
    const ht = new Float64Array(this.count);
    const hv = new Float64Array(this.count);
    this.copyOut(0, this.count, ht, hv);
    this.releaseBlocks();
    for (let i = 0; i < n; i++) this.push(ts[i]!, vs[i]!);
    for (let i = 0; i < ht.length; i++) this.push(ht[i]!, hv[i]!);
    // Disk samples are persisted and closed, so they go in front of both marks. Pieces
    // of the open chunk that were already persisted stay after `sealed`.
    const ends2 = ends.slice();
    for (const e of this.chunkEnds) ends2.push(e + n);
    this.chunkEnds = ends2;
    this.sealed += n;
    this.persisted += n;
    this.encodedTo += n;
    this.pendingTo += n;
  }

  private setAt(i: number, t: number, v: number): void {
    const seg = this.segmentOf(i);
    const o = this.offsetOf(i);
    seg[o] = t;
    seg[o + 1] = v;
  }

  /** The arena segment holding head sample i, and the sample's time's offset in it (its value follows). */
  private segmentOf(i: number): Float64Array {
    return this.arena.segments[this.blocks[(i + this.skip) >> BLOCK_SHIFT]! >>> SEG_SHIFT]!;
  }

  private offsetOf(i: number): number {
    const k = i + this.skip;
    return blockOffset(this.blocks[k >> BLOCK_SHIFT]!) + ((k & BLOCK_MASK) << 1);
  }

  /** Takes a new block for the next sample; returns where in wseg that sample goes. */
  private newBlock(): number {
    const id = this.arena.alloc();
    this.blocks.push(id);
    this.wseg = this.arena.segments[id >>> SEG_SHIFT]!;
    return blockOffset(id);
  }

  /** Gives every block back: the head is empty. */
  private releaseBlocks(): void {
    for (const id of this.blocks) this.arena.free(id);
    this.blocks = [];
    this.skip = 0;
    this.wseg = EMPTY;
    this.wpos = 0;
    this.count = 0;
  }
}
