/** Linear-interpolated quantile (as numpy's default) of the finite values; NaN when there are none. */
export function quantile(xs: ArrayLike<number>, q: number): number {
  const v = Float64Array.from(xs).filter(Number.isFinite).sort();
  if (v.length === 0) return NaN;
  const pos = q * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(v.length - 1, lo + 1);
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
}
