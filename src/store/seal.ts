import { encodeChunk } from './chunk-codec.js';
import type { HeadSeries } from './head.js';
import type { ChunkDb } from './sqlite-chunks.js';

/**
 * Sealing one series' head into SQLite chunks, inside the checkpoint's transaction.
 * The head's marks (sealed, persisted, chunkEnds) only move once the transaction has
 * committed, so a failed checkpoint leaves memory and disk agreeing: hence a plan.
 */
export interface SealPlan {
  s: HeadSeries;
  sealed: number;
  persisted: number;
  chunkEnds: number[];
  /** Change in the number of chunk rows. */
  rows: number;
  /** Chunk rows written. */
  written: number;
}

/**
 * Writes the series' samples that are not yet on disk:
 * - dirty (a late sample went below `persisted`): rewrite every chunk over the head;
 * - a full chunk's worth past `sealed`: replace the open chunk's pieces by closed chunks
 *   of `chunkSamples`, and the remainder by one new piece;
 * - otherwise: add the new samples as one more piece of the open chunk.
 * Pieces keep the WAL truncatable at every checkpoint without re-encoding the open
 * chunk each time; closed chunks are always exactly `chunkSamples` long.
 */
export function sealSeries(db: ChunkDb, s: HeadSeries, chunkSamples: number): SealPlan | undefined {
  const C = chunkSamples;
  let from: number;
  let ends: number[];
  if (s.dirty) {
    from = 0;
    ends = [];
  } else if (s.count - s.sealed >= C) {
    from = s.sealed;
    ends = s.chunkEnds.slice();
  } else if (s.persisted < s.count) {
    insertChunk(db, s, s.persisted, s.count);
    return { s, sealed: s.sealed, persisted: s.count, chunkEnds: s.chunkEnds, rows: 1, written: 1 };
  } else return undefined;
  // No chunk straddles the head's first sample, so this deletes exactly the rows being rewritten.
  let rows = from < s.count ? -db.deleteChunksFrom(s.ref, s.timeAt(from)) : 0;
  let written = 0;
  let i = from;
  // Chunks encoded ahead cover [sealed, encodedTo) when the series is not dirty.
  const ahead = s.dirty ? [] : s.ahead;
  while (s.count - i >= C) {
    insertChunk(db, s, i, i + C, ahead[(i - from) / C]);
    rows++;
    written++;
    i += C;
    ends.push(i);
  }
  if (i < s.count) {
    insertChunk(db, s, i, s.count);
    rows++;
    written++;
  }
  return { s, sealed: i, persisted: s.count, chunkEnds: ends, rows, written };
}

/** After commit. */
export function applySeal(p: SealPlan): void {
  p.s.sealed = p.sealed;
  p.s.persisted = p.persisted;
  p.s.chunkEnds = p.chunkEnds;
  p.s.dirty = false;
  p.s.dropAhead();
}

function insertChunk(db: ChunkDb, s: HeadSeries, from: number, to: number, encoded?: Uint8Array): void {
  db.insertChunk(s.ref, s.timeAt(from), s.timeAt(to - 1), to - from, encoded ?? encodeRange(s, from, to));
}

/**
 * Encodes up to `max` closed chunks of the series past what is already encoded ahead;
 * returns how many it encoded. The checkpoint then inserts them without encoding.
 */
export function encodeAhead(s: HeadSeries, chunkSamples: number, max: number): number {
  if (s.dirty) return 0;
  if (s.encodedTo < s.sealed) s.dropAhead();
  // Chunks with the encoder thread come back in order: none can be added behind them here.
  if (s.pendingTo !== s.encodedTo) return 0;
  let n = 0;
  while (n < max && s.count - s.encodedTo >= chunkSamples) {
    s.ahead.push(encodeRange(s, s.encodedTo, s.encodedTo + chunkSamples));
    s.encodedTo += chunkSamples;
    n++;
  }
  s.pendingTo = s.encodedTo;
  return n;
}

// The head keeps each time beside its value; the codec reads them as two arrays.
let scratchT = new Float64Array(256);
let scratchV = new Float64Array(256);

/** Encodes head samples [from, to) of s as one chunk. */
function encodeRange(s: HeadSeries, from: number, to: number): Uint8Array {
  const n = to - from;
  if (scratchT.length < n) {
    scratchT = new Float64Array(n);
    scratchV = new Float64Array(n);
  }
  s.copyOut(from, to, scratchT, scratchV);
  return encodeChunk(scratchT, scratchV, 0, n);
}
