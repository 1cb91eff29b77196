import { document, el, pathData, text } from './svg.js';

/**
 * A forecast as a self-contained SVG chart: the history as a line, the
 * forecast as a dashed line over its shaded prediction interval, a "now"
 * marker where they meet, time and value axes with round ticks, a title and
 * a legend. No fonts, scripts or styles from outside the file.
 */
export interface ChartData {
  title: string;
  /** [unix ms, value] */
  history: ReadonlyArray<readonly [number, number]>;
  forecast: ReadonlyArray<{ t: number; mean: number; lower: number; upper: number }>;
  level: number;
  model: string;
  /** Optional horizontal line (a capacity limit). */
  limit?: number;
}

export interface ChartOptions {
  width?: number;
  height?: number;
}

const COLORS = { history: '#1f4e8c', forecast: '#c2571a', band: '#f3c9a8', grid: '#e4e4e4', axis: '#555', limit: '#b3261e' };

export function forecastChart(d: ChartData, o: ChartOptions = {}): string {
  const W = o.width ?? 900;
  const H = o.height ?? 360;
  const m = { left: 64, right: 16, top: 36, bottom: 52 };
  const times = [...d.history.map((p) => p[0]), ...d.forecast.map((p) => p.t)];
  const values = [...d.history.map((p) => p[1]), ...d.forecast.flatMap((p) => [p.lower, p.upper, p.mean])].filter(Number.isFinite);
  if (d.limit !== undefined) values.push(d.limit);
  if (times.length === 0 || values.length === 0) throw new RangeError('nothing to draw: the series has no history and no forecast');
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 1);
  const yTicks = niceTicks(Math.min(...values), Math.max(...values), 6);
  const y0 = yTicks[0]!;
  const y1 = yTicks[yTicks.length - 1]!;
  const X = (t: number) => m.left + ((t - t0) / (t1 - t0)) * (W - m.left - m.right);
  const Y = (v: number) => H - m.bottom - ((v - y0) / (y1 - y0 || 1)) * (H - m.top - m.bottom);
  const parts: string[] = [el('rect', { x: 0, y: 0, width: W, height: H, fill: '#fff' })];
  for (const v of yTicks) {
    parts.push(el('line', { x1: m.left, x2: W - m.right, y1: Y(v), y2: Y(v), stroke: COLORS.grid }));
    parts.push(text(m.left - 6, Y(v) + 4, formatValue(v), { 'text-anchor': 'end', 'font-size': 11, fill: COLORS.axis, 'font-family': 'sans-serif' }));
  }
  for (const t of timeTicks(t0, t1, 7)) {
    parts.push(el('line', { x1: X(t), x2: X(t), y1: m.top, y2: H - m.bottom, stroke: COLORS.grid }));
    parts.push(text(X(t), H - m.bottom + 16, formatTime(t, t1 - t0), { 'text-anchor': 'middle', 'font-size': 11, fill: COLORS.axis, 'font-family': 'sans-serif' }));
  }
  parts.push(el('line', { x1: m.left, x2: m.left, y1: m.top, y2: H - m.bottom, stroke: COLORS.axis }));
  parts.push(el('line', { x1: m.left, x2: W - m.right, y1: H - m.bottom, y2: H - m.bottom, stroke: COLORS.axis }));
  if (d.forecast.length) {
    // The band: along the upper bound, back along the lower one.
    const xs = [...d.forecast.map((p) => X(p.t)), ...d.forecast.map((p) => X(p.t)).reverse()];
    const ys = [...d.forecast.map((p) => Y(p.upper)), ...d.forecast.map((p) => Y(p.lower)).reverse()];
    parts.push(el('path', { d: pathData(xs, ys) + 'Z', fill: COLORS.band, 'fill-opacity': 0.7, stroke: 'none' }));
    const last = d.history[d.history.length - 1];
    const fx = [...(last ? [X(last[0])] : []), ...d.forecast.map((p) => X(p.t))];
    const fy = [...(last ? [Y(last[1])] : []), ...d.forecast.map((p) => Y(p.mean))];
    parts.push(el('path', { d: pathData(fx, fy), fill: 'none', stroke: COLORS.forecast, 'stroke-width': 1.8, 'stroke-dasharray': '6 4' }));
  }
  if (d.history.length)
    parts.push(el('path', { d: pathData(d.history.map((p) => X(p[0])), d.history.map((p) => Y(p[1]))), fill: 'none', stroke: COLORS.history, 'stroke-width': 1.5 }));
  if (d.history.length && d.forecast.length) {
    const nowX = X(d.history[d.history.length - 1]![0]);
    parts.push(el('line', { x1: nowX, x2: nowX, y1: m.top, y2: H - m.bottom, stroke: COLORS.axis, 'stroke-dasharray': '2 3' }));
    parts.push(text(nowX + 4, m.top + 12, 'now', { 'font-size': 11, fill: COLORS.axis, 'font-family': 'sans-serif' }));
  }
  if (d.limit !== undefined) {
    parts.push(el('line', { x1: m.left, x2: W - m.right, y1: Y(d.limit), y2: Y(d.limit), stroke: COLORS.limit, 'stroke-width': 1.2 }));
    parts.push(text(W - m.right - 4, Y(d.limit) - 4, `limit ${formatValue(d.limit)}`, { 'text-anchor': 'end', 'font-size': 11, fill: COLORS.limit, 'font-family': 'sans-serif' }));
  }
  parts.push(text(m.left, 22, d.title, { 'font-size': 14, 'font-weight': 'bold', fill: '#222', 'font-family': 'sans-serif' }));
  const ly = H - 14;
  parts.push(
    el('line', { x1: m.left, x2: m.left + 24, y1: ly - 4, y2: ly - 4, stroke: COLORS.history, 'stroke-width': 2 }),
    text(m.left + 30, ly, 'history', { 'font-size': 11, fill: COLORS.axis, 'font-family': 'sans-serif' }),
    el('line', { x1: m.left + 100, x2: m.left + 124, y1: ly - 4, y2: ly - 4, stroke: COLORS.forecast, 'stroke-width': 2, 'stroke-dasharray': '6 4' }),
    text(m.left + 130, ly, `forecast (${d.model})`, { 'font-size': 11, fill: COLORS.axis, 'font-family': 'sans-serif' }),
    el('rect', { x: m.left + 330, y: ly - 10, width: 24, height: 10, fill: COLORS.band }),
    text(m.left + 360, ly, `${Math.round(d.level * 100)}% interval`, { 'font-size': 11, fill: COLORS.axis, 'font-family': 'sans-serif' }),
  );
  return document(W, H, ...parts);
}

/** About `n` round values (1, 2, 2.5, 5 x 10^k) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, n: number): number[] {
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, n - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw)!;
  const first = Math.floor(lo / step) * step;
  const out: number[] = [];
  for (let v = first; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  if (out[out.length - 1]! < hi) out.push(out[out.length - 1]! + step);
  return out;
}

const TIME_STEPS = [60_000, 300_000, 900_000, 1_800_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000, 86_400_000, 2 * 86_400_000, 7 * 86_400_000, 30 * 86_400_000];

function timeTicks(t0: number, t1: number, n: number): number[] {
  const step = TIME_STEPS.find((s) => (t1 - t0) / s <= n) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
  const out: number[] = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) out.push(t);
  return out;
}

function formatTime(t: number, span: number): string {
  const iso = new Date(t).toISOString();
  // Dates for long spans, times of day (UTC) for short ones.
  if (span > 3 * 86_400_000) return iso.slice(5, 10) + (iso.slice(11, 16) === '00:00' ? '' : ' ' + iso.slice(11, 16));
  return iso.slice(11, 16) === '00:00' ? iso.slice(5, 10) : iso.slice(11, 16);
}

function formatValue(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e12) return `${+(v / 1e12).toPrecision(3)}T`;
  if (a >= 1e9) return `${+(v / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  return String(+v.toPrecision(4));
}
