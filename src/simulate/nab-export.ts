import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Labels } from '../core/labels.js';
import type { FleetSimulator } from './fleet-simulator.js';
import type { GroundTruthIncident } from './incident-types.js';
import { metricByName } from './metrics.js';
import { nabJson, nabTimestamp, nabValue, nabWindowTimestamp, nabWindows, type NabWindowOptions } from './nab-format.js';

export interface NabExportOptions extends NabWindowOptions {
  /** Output root: writes `data/<category>/<name>.csv`, `labels/combined_windows.json`, `labels/combined_labels.json`. */
  dir: string;
  start: number;
  end: number;
  /** Spacing of the exported records; default the simulator's interval. */
  stepMs?: number;
  /** Which series to export. Default: every gauge except the constant capacity series. */
  select?: (labels: Labels, index: number) => boolean;
  /** Only series that some incident touched in the range. Default false (clean series are useful negatives). */
  onlyAnomalous?: boolean;
  /** Directory of a series under data/. Default: its service. */
  category?: (labels: Labels) => string;
  /** File name of a series, without `.csv`. Default: `<metric>_<instance>`. */
  name?: (labels: Labels) => string;
}

export interface NabExportedFile {
  /** Relative to data/, as NAB keys its label files: `<category>/<name>.csv`. */
  file: string;
  labels: Labels;
  /** Ground-truth anomaly times in this file, ms (snapped to its records). */
  anomalies: number[];
  windows: Array<[number, number]>;
  /** Anomalies left out because they fall in NAB's probationary period. */
  dropped: number[];
}

export interface NabExportResult {
  files: NabExportedFile[];
  windowsPath: string;
  labelsPath: string;
  /** The full ground truth of the range, for correlation and root-cause scoring. */
  groundTruthPath: string;
}

/** Writes a NAB-style corpus of the simulated fleet over [start, end) with its labels. */
export async function exportNab(sim: FleetSimulator, opts: NabExportOptions): Promise<NabExportResult> {
  const incidents = sim.incidentsBetween(opts.start, opts.end);
  const touched = touchedSeries(sim, incidents);
  const select = opts.select ?? defaultSelect;
  const { timestamps, series } = sim.collect(opts.start, opts.end, {
    stepMs: opts.stepMs,
    select: (l, i) => select(l, i) && (!opts.onlyAnomalous || touched.has(i)),
  });
  const times = Array.from(timestamps, nabTimestamp);
  const category = opts.category ?? ((l: Labels) => l.service ?? 'fleet');
  const name = opts.name ?? ((l: Labels) => `${l.__name__}_${l.instance}`);

  const files: NabExportedFile[] = [];
  const windowsJson: Record<string, string[][]> = {};
  const labelsJson: Record<string, string[]> = {};
  for (const s of series) {
    const file = `${safe(category(s.labels))}/${safe(name(s.labels))}.csv`;
    // Only onsets inside the range: an incident already under way at `start` has no onset to find.
    const onsets = (touched.get(s.index) ?? []).filter((t) => t >= opts.start && t < opts.end);
    const indices = onsets.map((t) => firstAtOrAfter(timestamps, t)).filter((i) => i >= 0);
    const w = nabWindows(timestamps.length, indices, opts);
    let csv = 'timestamp,value\n';
    for (let i = 0; i < times.length; i++) csv += `${times[i]},${nabValue(s.values[i]!)}\n`;
    const path = join(opts.dir, 'data', file);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, csv);
    windowsJson[file] = w.windows.map(([a, b]) => [nabWindowTimestamp(timestamps[a]!), nabWindowTimestamp(timestamps[b]!)]);
    labelsJson[file] = w.anomalies.map((i) => times[i]!);
    files.push({
      file,
      labels: s.labels,
      anomalies: w.anomalies.map((i) => timestamps[i]!),
      windows: w.windows.map(([a, b]) => [timestamps[a]!, timestamps[b]!]),
      dropped: w.dropped.map((i) => timestamps[i]!),
    });
  }

  const labelsDir = join(opts.dir, 'labels');
  await mkdir(labelsDir, { recursive: true });
  const windowsPath = join(labelsDir, 'combined_windows.json');
  const labelsPath = join(labelsDir, 'combined_labels.json');
  const groundTruthPath = join(opts.dir, 'ground_truth.json');
  await writeFile(windowsPath, nabJson(windowsJson));
  await writeFile(labelsPath, nabJson(labelsJson));
  await writeFile(groundTruthPath, JSON.stringify({ topology: sim.topology(), incidents }, null, 2));
  return { files, windowsPath, labelsPath, groundTruthPath };
}

/** Capacity series never move and counters only climb: neither is a detection target. */
function defaultSelect(labels: Labels): boolean {
  const m = metricByName(labels.__name__ ?? '');
  return !!m && m.kind === 'gauge' && m.role !== 'capacity';
}

/** Series index -> start times of the incident effects on it. */
function touchedSeries(sim: FleetSimulator, incidents: readonly GroundTruthIncident[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const inc of incidents) {
    for (const a of inc.affected) {
      const i = sim.seriesIndex(a.metric, a.instance);
      if (i < 0) continue;
      const list = out.get(i) ?? [];
      list.push(a.startsAt);
      out.set(i, list);
    }
  }
  return out;
}

/** Index of the first record at or after t, or -1. */
function firstAtOrAfter(timestamps: Float64Array, t: number): number {
  let lo = 0;
  let hi = timestamps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (timestamps[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo < timestamps.length ? lo : -1;
}

/** Keeps file and directory names portable. */
function safe(part: string): string {
  return part.replace(/[^A-Za-z0-9._-]+/g, '_');
}
