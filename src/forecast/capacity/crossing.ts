/**
 * When a forecast path reaches a limit. The path starts at the last observed
 * value `v0` at `t0` and continues through `path[h]` at `t0 + (h+1)*step`;
 * between points it is linear, so a straight-line forecast gives the exact
 * crossing time, not the next grid point.
 */
export type Direction = 'above' | 'below';

/** Unix ms of the first crossing (t0 when v0 is already at or past the limit), or null when the path never reaches it. */
export function firstCrossing(path: ArrayLike<number>, t0: number, v0: number, stepMs: number, limit: number, direction: Direction): number | null {
  const past = direction === 'above' ? (v: number) => v >= limit : (v: number) => v <= limit;
  if (past(v0)) return t0;
  let prevV = v0;
  let prevT = t0;
  for (let h = 0; h < path.length; h++) {
    const v = path[h]!;
    const t = t0 + (h + 1) * stepMs;
    if (!Number.isFinite(v)) continue;
    if (past(v)) {
      const frac = v === prevV ? 1 : (limit - prevV) / (v - prevV);
      return prevT + frac * (t - prevT);
    }
    prevV = v;
    prevT = t;
  }
  return null;
}
