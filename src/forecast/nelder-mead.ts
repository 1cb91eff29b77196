/**
 * Nelder-Mead simplex minimisation (standard coefficients 1, 2, 0.5, 0.5), for
 * the few smoothing parameters of a model; objectives map unconstrained
 * coordinates to their valid ranges themselves.
 */
export interface NelderMeadOptions {
  /** Initial simplex step per coordinate. */
  step?: number;
  maxEvaluations?: number;
  /** Stop when the spread of objective values in the simplex falls below this. */
  tolerance?: number;
}

export function nelderMead(f: (x: Float64Array) => number, x0: ArrayLike<number>, opts: NelderMeadOptions = {}): { x: Float64Array; value: number; evaluations: number } {
  const d = x0.length;
  const step = opts.step ?? 0.5;
  const maxEval = opts.maxEvaluations ?? 200 * d;
  const tol = opts.tolerance ?? 1e-8;
  const pts: Float64Array[] = [];
  const vals = new Float64Array(d + 1);
  let evals = 0;
  const evalAt = (x: Float64Array): number => {
    evals++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  for (let i = 0; i <= d; i++) {
    const p = Float64Array.from(x0);
    if (i > 0) p[i - 1] += step;
    pts.push(p);
    vals[i] = evalAt(p);
  }
  const order = new Int32Array(d + 1);
  const centroid = new Float64Array(d);
  const xr = new Float64Array(d), xe = new Float64Array(d), xc = new Float64Array(d);
  while (evals < maxEval) {
    for (let i = 0; i <= d; i++) order[i] = i;
    order.sort((a, b) => vals[a] - vals[b]);
    const best = order[0], worst = order[d], second = order[d - 1];
    if (Math.abs(vals[worst] - vals[best]) <= tol * (Math.abs(vals[best]) + tol)) break;
    centroid.fill(0);
    for (let i = 0; i < d; i++) {
      const p = pts[order[i]];
      for (let j = 0; j < d; j++) centroid[j] += p[j] / d;
    }
    const pw = pts[worst];
    for (let j = 0; j < d; j++) xr[j] = centroid[j] + (centroid[j] - pw[j]);
    const fr = evalAt(xr);
    if (fr < vals[best]) {
      for (let j = 0; j < d; j++) xe[j] = centroid[j] + 2 * (centroid[j] - pw[j]);
      const fe = evalAt(xe);
      if (fe < fr) { pw.set(xe); vals[worst] = fe; } else { pw.set(xr); vals[worst] = fr; }
      continue;
    }
    if (fr < vals[second]) { pw.set(xr); vals[worst] = fr; continue; }
    const outside = fr < vals[worst];
    for (let j = 0; j < d; j++) xc[j] = outside ? centroid[j] + 0.5 * (xr[j] - centroid[j]) : centroid[j] + 0.5 * (pw[j] - centroid[j]);
    const fc = evalAt(xc);
    if (fc < (outside ? fr : vals[worst])) { pw.set(xc); vals[worst] = fc; continue; }
    const pb = pts[best];
    for (let i = 1; i <= d; i++) {
      const p = pts[order[i]];
      for (let j = 0; j < d; j++) p[j] = pb[j] + 0.5 * (p[j] - pb[j]);
      vals[order[i]] = evalAt(p);
    }
  }
  let bi = 0;
  for (let i = 1; i <= d; i++) if (vals[i] < vals[bi]) bi = i;
  return { x: pts[bi], value: vals[bi], evaluations: evals };
}
