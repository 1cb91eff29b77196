import type { ForecastFn } from './series-forecast.js';

const Z = { 0.8: 1.2815515655446004, 0.9: 1.6448536269514722, 0.95: 1.959963984540054, 0.99: 2.5758293035489004 } as Record<number, number>;

/**
 * Least-squares line through the grid, with the textbook prediction
 * interval of a regression line (wider further out). The cheap stand-in the
 * stage uses when a rule evaluation has spent its time budget on the
 * automatic model.
 */
export const linearForecast: ForecastFn = (y, horizon, opts) => {
  const level = opts.level ?? 0.95;
  const z = Z[level] ?? 1.959963984540054;
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]!)) continue;
    n++;
    sx += i;
    sy += y[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]!)) continue;
    sxx += (i - mx) ** 2;
    sxy += (i - mx) * (y[i]! - my);
  }
  const b = sxx > 0 ? sxy / sxx : 0;
  let sse = 0;
  for (let i = 0; i < y.length; i++) if (Number.isFinite(y[i]!)) sse += (y[i]! - (my + b * (i - mx))) ** 2;
  const s = n > 2 ? Math.sqrt(sse / (n - 2)) : 0;
  const mean = new Float64Array(horizon);
  const lower = new Float64Array(horizon);
  const upper = new Float64Array(horizon);
  for (let h = 0; h < horizon; h++) {
    const x = y.length + h;
    mean[h] = my + b * (x - mx);
    const w = z * s * Math.sqrt(1 + 1 / n + (sxx > 0 ? (x - mx) ** 2 / sxx : 0));
    lower[h] = mean[h]! - w;
    upper[h] = mean[h]! + w;
  }
  return { mean, lower, upper, level, model: 'linear' };
};
