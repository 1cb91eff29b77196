/**
 * Series tables for offline forecasting: M4's wide layout (`id,V1,V2,...`, one
 * series per row, empty cells after its end) and a long layout
 * (`id,timestamp,value`, one sample per row). Errors name the line.
 */
export class SeriesCsvError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

export interface SeriesTable {
  layout: 'wide' | 'long';
  series: { id: string; values: Float64Array; timestamps?: Float64Array; stepMs?: number }[];
}

function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out;
}

function parseNumber(cell: string, line: number, column: string): number {
  const s = cell.trim();
  if (s === '' || s === 'NA' || s === 'NaN' || s === 'nan') return NaN;
  const v = Number(s);
  if (!Number.isFinite(v)) throw new SeriesCsvError(line, `${column}: "${s}" is not a number`);
  return v;
}

function parseTime(cell: string, line: number): number {
  const s = cell.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const v = Number(s);
    return v < 1e11 ? v * 1000 : v; // unix seconds or milliseconds
  }
  const t = Date.parse(/^\d{4}-\d\d-\d\d \d/.test(s) ? s.replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? '' : 'Z') : s);
  if (!Number.isFinite(t)) throw new SeriesCsvError(line, `timestamp: "${s}" is not a time (expected RFC 3339, "YYYY-MM-DD HH:MM:SS" or unix seconds)`);
  return t;
}

const LONG_ID = ['id', 'series', 'unique_id', 'name'];
const LONG_TIME = ['timestamp', 'time', 'ds', 'date'];
const LONG_VALUE = ['value', 'y', 'v'];

/** Parses either layout; the long one is recognised by its header (`id,timestamp,value` or close synonyms). */
export function parseSeriesCsv(text: string): SeriesTable {
  const lines = text.split(/\r?\n/);
  let first = 0;
  while (first < lines.length && lines[first].trim() === '') first++;
  if (first >= lines.length) throw new SeriesCsvError(1, 'empty file: expected a header row');
  const header = splitCsvLine(lines[first]).map((h) => h.trim().toLowerCase());
  const idCol = header.findIndex((h) => LONG_ID.includes(h));
  const timeCol = header.findIndex((h) => LONG_TIME.includes(h));
  const valueCol = header.findIndex((h) => LONG_VALUE.includes(h));
  if (idCol >= 0 && timeCol >= 0 && valueCol >= 0) return parseLong(lines, first, header.length, idCol, timeCol, valueCol);
  return parseWide(lines, first, header);
}

function parseWide(lines: string[], first: number, header: string[]): SeriesTable {
  const series: SeriesTable['series'] = [];
  for (let i = first + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const cells = splitCsvLine(lines[i]);
    const line = i + 1;
    if (cells.length > header.length) throw new SeriesCsvError(line, `${cells.length} cells, but the header has ${header.length} columns`);
    let end = cells.length;
    while (end > 1 && cells[end - 1].trim() === '') end--;
    const id = cells[0].trim();
    if (id === '') throw new SeriesCsvError(line, 'empty series id in the first column');
    const values = new Float64Array(end - 1);
    for (let c = 1; c < end; c++) values[c - 1] = parseNumber(cells[c], line, header[c] || `column ${c + 1}`);
    if (values.length === 0) throw new SeriesCsvError(line, `series ${id} has no values`);
    series.push({ id, values });
  }
  if (series.length === 0) throw new SeriesCsvError(first + 1, 'no series rows after the header');
  return { layout: 'wide', series };
}

function parseLong(lines: string[], first: number, width: number, idCol: number, timeCol: number, valueCol: number): SeriesTable {
  const groups = new Map<string, { t: number[]; v: number[] }>();
  for (let i = first + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const cells = splitCsvLine(lines[i]);
    const line = i + 1;
    if (cells.length !== width) throw new SeriesCsvError(line, `${cells.length} cells, expected ${width} like the header`);
    const id = cells[idCol].trim();
    if (id === '') throw new SeriesCsvError(line, 'empty series id');
    const g = groups.get(id) ?? { t: [], v: [] };
    groups.set(id, g);
    g.t.push(parseTime(cells[timeCol], line));
    g.v.push(parseNumber(cells[valueCol], line, 'value'));
  }
  if (groups.size === 0) throw new SeriesCsvError(first + 1, 'no sample rows after the header');
  const series: SeriesTable['series'] = [];
  for (const [id, g] of groups) series.push(regularise(id, g.t, g.v));
  return { layout: 'long', series };
}

/** Sorts by time and places samples on the most common step, NaN where one is missing. */
function regularise(id: string, t: number[], v: number[]): SeriesTable['series'][number] {
  const order = t.map((_, i) => i).sort((a, b) => t[a] - t[b]);
  const ts = order.map((i) => t[i]);
  const vs = order.map((i) => v[i]);
  const steps = new Map<number, number>();
  for (let i = 1; i < ts.length; i++) {
    const d = ts[i] - ts[i - 1];
    if (d > 0) steps.set(d, (steps.get(d) ?? 0) + 1);
  }
  let step = 0, best = 0;
  for (const [d, c] of steps) if (c > best || (c === best && d < step)) { step = d; best = c; }
  if (step === 0) return { id, values: Float64Array.from(vs), timestamps: Float64Array.from(ts), stepMs: 0 };
  const n = Math.round((ts[ts.length - 1] - ts[0]) / step) + 1;
  if (n > 10 * ts.length) return { id, values: Float64Array.from(vs), timestamps: Float64Array.from(ts), stepMs: step };
  const values = new Float64Array(n).fill(NaN);
  const timestamps = new Float64Array(n);
  for (let i = 0; i < n; i++) timestamps[i] = ts[0] + i * step;
  for (let i = 0; i < ts.length; i++) values[Math.round((ts[i] - ts[0]) / step)] = vs[i];
  return { id, values, timestamps, stepMs: step };
}
