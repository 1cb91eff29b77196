import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VigilError } from '../../core/errors.js';
import type { Labels } from '../../core/labels.js';
import { ServiceGraph } from '../topology/service-graph.js';
import { signalsFromAlerts, type AlertLike } from './from-alerts.js';
import { DEFAULT_ONSET_OPTIONS, detectOnset } from './onset.js';
import type { RcaSignal } from './rank.js';

/**
 * Root-cause cases stored as files, one folder per case:
 *
 *   graph.json        {"services": [{"name", "type"?, "criticality"?, "runbooks"?}],
 *                      "edges": [{"from", "to", "weight"?}]}          from calls / depends on to
 *   root_cause.json   {"service": "orders-db", "metric"?, "startsAt"?, ...anything else}
 *   alerts.json       optional: [{"labels": {...}, "startsAt": ms, "severity"?, "score"?}]
 *   series/*.csv      optional: one file per service (file name = service), header
 *                     `timestamp,<metric>@<instance>,...`, timestamp in ms
 *   case.json         optional: {"baselineUntil": ms} (series before it are normal; default: first third)
 *
 * Signals come from alerts.json when present, else from onset detection on the series.
 */

export interface CaseGraphFile {
  services: Array<{ name: string; type?: string; criticality?: string; runbooks?: string[] }>;
  edges: Array<{ from: string; to: string; weight?: number }>;
}

export interface StoredAlert {
  labels: Labels;
  startsAt: number;
  severity?: string;
  score?: number;
  /** Ground truth for grouping, when the generator knows it. */
  incident?: string;
}

export interface SeriesColumn {
  service: string;
  metric: string;
  instance: string;
  values: ArrayLike<number>;
}

export interface RcaCase {
  id: string;
  graph: ServiceGraph;
  signals: RcaSignal[];
  truth: { service: string; metric?: string };
  /** Where the signals came from. */
  from: 'alerts' | 'series';
}

const CRITICALITY = new Set(['low', 'medium', 'high', 'critical']);

export function writeCase(
  dir: string,
  c: { graph: CaseGraphFile; rootCause: Record<string, unknown> & { service: string }; alerts?: StoredAlert[]; timestamps?: ArrayLike<number>; series?: SeriesColumn[]; baselineUntil?: number },
): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'graph.json'), JSON.stringify(c.graph, null, 1) + '\n');
  writeFileSync(join(dir, 'root_cause.json'), JSON.stringify(c.rootCause, null, 2) + '\n');
  if (c.alerts) writeFileSync(join(dir, 'alerts.json'), JSON.stringify(c.alerts, null, 1) + '\n');
  if (c.baselineUntil !== undefined) writeFileSync(join(dir, 'case.json'), JSON.stringify({ baselineUntil: c.baselineUntil }) + '\n');
  if (c.series && c.timestamps) {
    const ts = c.timestamps;
    mkdirSync(join(dir, 'series'), { recursive: true });
    const byService = new Map<string, SeriesColumn[]>();
    for (const s of c.series) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
    for (const [service, cols] of byService) {
      const lines = [['timestamp', ...cols.map((col) => `${col.metric}@${col.instance}`)].join(',')];
      for (let i = 0; i < ts.length; i++) lines.push([ts[i], ...cols.map((col) => fmt(col.values[i]))].join(','));
      writeFileSync(join(dir, 'series', `${service}.csv`), lines.join('\n') + '\n');
    }
  }
}

/** Every case folder under dir (a folder with graph.json), in name order; dir itself may be one. */
export function listCases(dir: string): string[] {
  if (!existsSync(dir)) throw new VigilError('NOT_FOUND', `${dir}: no such directory`);
  if (existsSync(join(dir, 'graph.json'))) return [dir];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'graph.json')))
    .map((d) => join(dir, d.name))
    .sort();
}

export function readCase(dir: string, from: 'auto' | 'alerts' | 'series' = 'auto'): RcaCase {
  const graphFile = readJson<CaseGraphFile>(join(dir, 'graph.json'));
  const truth = readJson<{ service?: unknown; metric?: unknown }>(join(dir, 'root_cause.json'));
  if (typeof truth.service !== 'string' || !truth.service) throw bad(join(dir, 'root_cause.json'), '"service" must be a non-empty string');
  const graph = toGraph(graphFile, join(dir, 'graph.json'));
  const alertsPath = join(dir, 'alerts.json');
  const useAlerts = from === 'alerts' || (from === 'auto' && existsSync(alertsPath));
  let signals: RcaSignal[];
  if (useAlerts) {
    const alerts = readJson<unknown>(alertsPath);
    if (!Array.isArray(alerts)) throw bad(alertsPath, 'must be a JSON array of alerts');
    alerts.forEach((a: AlertLike, i) => {
      if (!a || typeof a !== 'object' || typeof a.labels !== 'object' || !Number.isFinite(a.startsAt)) throw bad(alertsPath, `alert ${i} needs "labels" (object) and "startsAt" (ms)`);
    });
    signals = signalsFromAlerts(alerts as AlertLike[]);
  } else {
    signals = signalsFromSeries(dir);
  }
  return { id: dir, graph, signals, truth: { service: truth.service, ...(typeof truth.metric === 'string' ? { metric: truth.metric } : {}) }, from: useAlerts ? 'alerts' : 'series' };
}

function toGraph(file: CaseGraphFile, path: string): ServiceGraph {
  if (!file || !Array.isArray(file.services) || !Array.isArray(file.edges)) throw bad(path, 'needs "services" and "edges" arrays');
  const g = new ServiceGraph();
  file.services.forEach((s, i) => {
    if (!s || typeof s.name !== 'string' || !s.name) throw bad(path, `services[${i}].name must be a non-empty string`);
    const criticality = CRITICALITY.has(s.criticality ?? '') ? (s.criticality as 'low') : 'medium';
    g.addService({ name: s.name, type: typeof s.type === 'string' ? s.type : 'unknown', criticality, ...(Array.isArray(s.runbooks) ? { runbooks: s.runbooks } : {}) });
  });
  file.edges.forEach((e, i) => {
    if (!e || typeof e.from !== 'string' || typeof e.to !== 'string') throw bad(path, `edges[${i}] needs "from" and "to" service names`);
    const weight = e.weight === undefined ? 1 : Number(e.weight);
    if (!(weight > 0)) throw bad(path, `edges[${i}].weight must be a positive number`);
    g.addEdge({ from: e.from, to: e.to, weight: Math.min(1, weight), source: 'declared', confidence: 1 });
  });
  return g;
}

function signalsFromSeries(dir: string): RcaSignal[] {
  const seriesDir = join(dir, 'series');
  if (!existsSync(seriesDir)) throw new VigilError('BAD_CASE', `${dir}: neither alerts.json nor series/ is present`);
  const meta = existsSync(join(dir, 'case.json')) ? readJson<{ baselineUntil?: number }>(join(dir, 'case.json')) : {};
  const out: RcaSignal[] = [];
  for (const file of readdirSync(seriesDir).filter((f) => f.endsWith('.csv')).sort()) {
    const path = join(seriesDir, file);
    const service = file.slice(0, -4);
    const { header, rows } = parseCsv(readFileSync(path, 'utf8'), path);
    const ts = rows.map((r) => r[0]);
    const baselineEnd = meta.baselineUntil !== undefined ? ts.findIndex((t) => t >= meta.baselineUntil!) : Math.floor(ts.length / 3);
    for (let c = 1; c < header.length; c++) {
      const values = rows.map((r) => r[c]);
      const hit = detectOnset(values, baselineEnd < 0 ? ts.length : baselineEnd, DEFAULT_ONSET_OPTIONS);
      if (!hit) continue;
      const at = header[c].lastIndexOf('@');
      const metric = at > 0 ? header[c].slice(0, at) : header[c];
      out.push({ service, metric, onsetMs: ts[hit.index], score: hit.score, labels: { instance: at > 0 ? header[c].slice(at + 1) : service } });
    }
  }
  return out;
}

function parseCsv(text: string, path: string): { header: string[]; rows: number[][] } {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines.length < 2) throw bad(path, 'needs a header line and at least one row');
  const header = lines[0].split(',');
  const rows = lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    if (cells.length !== header.length) throw bad(`${path}:${i + 2}`, `${cells.length} cells, the header has ${header.length}`);
    const nums = cells.map((c) => (c === '' ? NaN : Number(c)));
    if (!Number.isFinite(nums[0])) throw bad(`${path}:${i + 2}`, `timestamp "${cells[0]}" is not a number`);
    return nums;
  });
  return { header, rows };
}

function readJson<T>(path: string): T {
  if (!existsSync(path)) throw new VigilError('BAD_CASE', `${path}: missing`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw bad(path, `not valid JSON (${(e as Error).message})`);
  }
}

function bad(where: string, message: string): VigilError {
  return new VigilError('BAD_CASE', `${where}: ${message}`);
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 1e6) / 1e6) : '';
}
