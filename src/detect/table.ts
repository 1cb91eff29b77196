// Offline scoring of a table (a parsed CSV), for `vigil detect FILE.csv`: one
// timestamp column and one or more numeric columns. One column is scored with
// the univariate ensemble; several are scored each with its own ensemble and
// together with the isolation forest, a row's score being the largest.
import type { AnomalyExplanation } from '../core/events.js';
import { UnivariateEnsemble, type EnsembleConfig, type PartialConfig } from './ensemble.js';
import { IsolationForestDetector, type IsolationForestConfig } from './iforest.js';
import { ExplanationSlot } from './types.js';

export interface ParsedCsv {
  header: string[];
  rows: string[][];
}

export interface ScoreOptions {
  /** Overrides of the univariate ensemble's defaults. */
  config?: PartialConfig<EnsembleConfig>;
  /** Overrides of the isolation forest's defaults (multivariate tables). */
  iforest?: Partial<IsolationForestConfig>;
  /** Score at or above which a row is flagged (default: the ensemble's `flagThreshold`). */
  threshold?: number;
  /** Score several value columns together as well (default true when there are several). */
  multivariate?: boolean;
}

export interface RowExplanation extends AnomalyExplanation {
  /** The value column the explanation is about. */
  column: string;
}

export interface SeriesScore {
  scores: Float64Array;
  anomalies: Uint8Array;
  explanations: AnomalyExplanation[];
}

export interface TableScore {
  mode: 'univariate' | 'multivariate';
  /** The column read as time, or null when rows were numbered (one minute apart). */
  timeColumn: string | null;
  valueColumns: string[];
  threshold: number;
  timestamps: Float64Array;
  scores: Float64Array;
  anomalies: Uint8Array;
  explanations: RowExplanation[];
}

const TIME_NAMES = new Set(['timestamp', 'time', 'ts', 'date', 'datetime', 'unix_timestamp']);

/** Milliseconds since the epoch: numbers below 1e11 are seconds; zone-less date-times are UTC. */
export function parseTime(text: string): number {
  const s = text.trim();
  if (s === '') return NaN;
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    return Math.abs(n) < 1e11 ? n * 1000 : n;
  }
  const iso = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s) ? s.replace(' ', 'T') + 'Z' : s;
  return Date.parse(iso);
}

/** A problem with one row of the input, with its 1-based line number (the header is line 1). */
export class TableError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** A small RFC 4180 reader (quoted fields, doubled quotes, CRLF). */
export function parseCsv(text: string): ParsedCsv {
  const records: string[][] = [];
  let field = '', row: string[] = [], quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') records.push(row);
      row = [];
    } else field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    records.push(row);
  }
  const header = (records.shift() ?? []).map((h) => h.trim());
  return { header, rows: records };
}

/** Scores one series with the default (or given) configuration. */
export function scoreSeries(timestamps: ArrayLike<number>, values: ArrayLike<number>, options: ScoreOptions = {}): SeriesScore {
  const det = new UnivariateEnsemble(options.config);
  const threshold = options.threshold ?? det.cfg.flagThreshold;
  const state = det.createState();
  const slot = new ExplanationSlot();
  const n = values.length;
  const scores = new Float64Array(n);
  const anomalies = new Uint8Array(n);
  const explanations: AnomalyExplanation[] = new Array(n);
  for (let i = 0; i < n; i++) {
    scores[i] = det.update(state, timestamps[i]!, values[i]!, slot);
    anomalies[i] = scores[i]! >= threshold ? 1 : 0;
    explanations[i] = slot.toExplanation();
  }
  return { scores, anomalies, explanations };
}

/** Scores a parsed CSV: finds the time column and the numeric columns, then scores every row. */
export function scoreTable(csv: ParsedCsv, options: ScoreOptions = {}): TableScore {
  const { header, rows } = csv;
  if (header.length === 0) throw new Error('the table has no header row');
  let timeIdx = header.findIndex((h) => TIME_NAMES.has(h.toLowerCase()));
  if (timeIdx < 0 && rows.length && rows.slice(0, 20).every((r) => Number.isFinite(parseTime(r[0] ?? '')) && !/^-?\d+(\.\d+)?$/.test((r[0] ?? '').trim()))) timeIdx = 0;
  const valueIdx: number[] = [];
  header.forEach((_, c) => {
    if (c === timeIdx) return;
    let numeric = 0, filled = 0;
    for (const r of rows) {
      const cell = (r[c] ?? '').trim();
      if (cell === '') continue;
      filled++;
      if (Number.isFinite(Number(cell)) || /^(nan|[+-]?inf)$/i.test(cell)) numeric++;
    }
    if (filled > 0 && numeric >= 0.9 * filled) valueIdx.push(c);
  });
  if (valueIdx.length === 0) throw new Error(`no numeric value column among: ${header.join(', ')}`);

  const n = rows.length;
  const timestamps = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (timeIdx < 0) {
      timestamps[i] = i * 60_000;
      continue;
    }
    const cell = rows[i]![timeIdx] ?? '';
    const t = parseTime(cell);
    // Line numbers count the header as line 1, as an editor shows them.
    if (!Number.isFinite(t)) throw new TableError(i + 2, `cannot parse ${JSON.stringify(cell)} in column "${header[timeIdx]}" as a time (expected unix seconds or milliseconds, or an ISO 8601 date-time)`);
    timestamps[i] = t;
  }
  const columns = valueIdx.map((c) => {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const cell = (rows[i]![c] ?? '').trim();
      v[i] = cell === '' ? NaN : Number(cell);
    }
    return v;
  });

  const det = new UnivariateEnsemble(options.config);
  const threshold = options.threshold ?? det.cfg.flagThreshold;
  const multivariate = columns.length > 1 && options.multivariate !== false;
  const states = columns.map(() => det.createState());
  const forest = multivariate ? new IsolationForestDetector(columns.length, options.iforest) : null;
  const slot = new ExplanationSlot();
  const scores = new Float64Array(n);
  const anomalies = new Uint8Array(n);
  const explanations: RowExplanation[] = new Array(n);
  const row = new Float64Array(columns.length);
  for (let i = 0; i < n; i++) {
    let best = -1;
    let expl: RowExplanation | null = null;
    for (let c = 0; c < columns.length; c++) {
      row[c] = columns[c]![i]!;
      const sc = det.update(states[c]!, timestamps[i]!, row[c]!, slot);
      if (sc > best) {
        best = sc;
        expl = { ...slot.toExplanation(), column: header[valueIdx[c]!]! };
      }
    }
    let flagged = best >= threshold;
    if (forest) {
      const r = forest.update(timestamps[i]!, row);
      // Calibrated probability -> surprise -> the ensemble's score scale.
      const e = r.score > 0 ? -Math.log10(Math.max(1e-12, 1 - r.score)) : 0;
      const sc = e / (e + det.cfg.evidenceScale);
      if (r.flagged) flagged = true;
      if (sc > best || (r.flagged && best < threshold)) {
        best = Math.max(best, sc);
        const v = row[r.metric]!;
        expl = {
          expected: r.expected,
          lower: r.lower,
          upper: r.upper,
          component: 'iforest',
          direction: v > r.upper ? 'above' : v < r.lower ? 'below' : 'none',
          column: header[valueIdx[r.metric]!]!,
        };
      }
    }
    scores[i] = best;
    anomalies[i] = flagged ? 1 : 0;
    explanations[i] = expl!;
  }
  return {
    mode: multivariate ? 'multivariate' : 'univariate',
    timeColumn: timeIdx >= 0 ? header[timeIdx]! : null,
    valueColumns: valueIdx.map((c) => header[c]!),
    threshold,
    timestamps,
    scores,
    anomalies,
    explanations,
  };
}

/** The scored table as CSV (for `--out`): the input columns plus the scores and explanations. */
export function tableScoreToCsv(csv: ParsedCsv, result: TableScore): string {
  const q = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [[...csv.header, 'anomaly_score', 'anomaly', 'expected', 'lower', 'upper', 'component', 'direction', 'column'].map(q).join(',')];
  for (let i = 0; i < csv.rows.length; i++) {
    const e = result.explanations[i]!;
    const num = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(8))) : '');
    lines.push([...csv.rows[i]!.map(q), result.scores[i]!.toFixed(6), String(result.anomalies[i]), num(e.expected), num(e.lower), num(e.upper), e.component, e.direction, q(e.column)].join(','));
  }
  return lines.join('\n') + '\n';
}
