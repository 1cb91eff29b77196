import { decodeChunkInto } from './chunk-codec.js';
import type { HeadSeries } from './head.js';
import type { ChunkDb, ChunkRow } from './sqlite-chunks.js';

/**
 * One series' raw samples in [start, end]: sealed chunks for the part before the head's
 * first sample, then the head. No SQLite chunk straddles that first sample (see head.ts),
 * so the two parts never overlap and nothing is returned twice. Copies, never views of
 * the head, so callers cannot change stored data.
 */
export function readSeries(db: ChunkDb, s: HeadSeries, start: number, end: number): { timestamps: Float64Array; values: Float64Array } {
  const headStart = s.headStart;
  let rows: ChunkRow[] = [];
  if (start < headStart) {
    const diskEnd = Math.min(end, headStart - 1, Number.MAX_SAFE_INTEGER);
    rows = db.chunksOverlapping(s.ref, Math.max(start, -Number.MAX_SAFE_INTEGER), diskEnd);
  }
  const h0 = s.lowerBound(start);
  const h1 = end >= s.lastT ? s.count : s.lowerBound(Math.floor(end) + 1);
  const headN = Math.max(0, h1 - h0);
  if (rows.length === 0) {
    const timestamps = new Float64Array(headN);
    const values = new Float64Array(headN);
    s.copyOut(h0, h0 + headN, timestamps, values);
    return { timestamps, values };
  }

  let diskN = 0;
  for (const r of rows) diskN += r.n;
  let ts = new Float64Array(diskN + headN);
  let vs = new Float64Array(diskN + headN);
  let at = 0;
  for (const r of rows) at += decodeChunkInto(r.data, ts, vs, at);
  if (!strictlyIncreasing(ts, at)) at = sortDedupe(ts, vs, at);
  // The disk run is sorted: keep [start, min(end + 1, headStart)) as one slice.
  const lim = Math.min(end + 1, headStart);
  let a = 0;
  while (a < at && ts[a]! < start) a++;
  let b = at;
  while (b > a && ts[b - 1]! >= lim) b--;
  // copyWithin and set move bytes, so NaN payloads (stale markers) stay intact.
  if (a > 0) {
    ts.copyWithin(0, a, b);
    vs.copyWithin(0, a, b);
  }
  let n = b - a;
  s.copyOut(h0, h0 + headN, ts, vs, n);
  n += headN;
  if (n < ts.length) {
    ts = ts.slice(0, n);
    vs = vs.slice(0, n);
  }
  return { timestamps: ts, values: vs };
}

function strictlyIncreasing(ts: Float64Array, n: number): boolean {
  for (let i = 1; i < n; i++) if (!(ts[i]! > ts[i - 1]!)) return false;
  return true;
}

/** Safety net for overlapping chunks (should not happen): sort by time, the later chunk wins. */
function sortDedupe(ts: Float64Array, vs: Float64Array, n: number): number {
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => ts[a]! - ts[b]! || b - a);
  const t2 = new Float64Array(n);
  const v2 = new Float64Array(n);
  let w = 0;
  for (const i of idx) {
    if (w > 0 && t2[w - 1] === ts[i]) continue;
    t2[w] = ts[i]!;
    v2.set(vs.subarray(i, i + 1), w);
    w++;
  }
  ts.set(t2.subarray(0, w));
  vs.set(v2.subarray(0, w));
  return w;
}
