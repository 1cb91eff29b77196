// Loads the NAB corpus: the data files, their labelled windows and the scoring profiles.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { columnIndex, readCsv } from './csv.js';
import { nabDir } from './paths.js';
import { loadProfiles } from './profiles.js';
import { parseNabTimestamp } from './timestamps.js';
import type { NabProfile, NabWindow } from './types.js';

export interface NabDataFile {
  /** Path relative to `data/`, as NAB names files: `realKnownCause/nyc_taxi.csv`. */
  readonly path: string;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly windows: readonly NabWindow[];
}

export interface NabCorpus {
  readonly dir: string;
  /** Sorted by path, so every run scores files in the same order. */
  readonly files: readonly NabDataFile[];
  readonly profiles: readonly NabProfile[];
  /** Windows over all files (116 in NAB v1.1): the count of possible true positives. */
  readonly windowCount: number;
}

/** Throws a message naming the directory and the override when the corpus is not there. */
export function loadNabCorpus(dir: string = nabDir()): NabCorpus {
  const windowsPath = join(dir, 'labels', 'combined_windows.json');
  if (!existsSync(windowsPath)) {
    throw new Error(`NAB corpus not found at ${dir} (no labels/combined_windows.json); set VIGIL_SHARED_DIR to the shared directory holding datasets/nab`);
  }
  const labels = JSON.parse(readFileSync(windowsPath, 'utf8')) as Record<string, [string, string][]>;
  const dataDir = join(dir, 'data');
  const paths = listCsv(dataDir);
  const missing = Object.keys(labels).filter((p) => !paths.includes(p));
  if (missing.length) throw new Error(`NAB labels name files absent from ${dataDir}: ${missing.join(', ')}`);

  let windowCount = 0;
  const files = paths.map((path) => {
    const limits = labels[path];
    if (!limits) throw new Error(`NAB data file ${path} has no entry in ${windowsPath}`);
    const windows = limits.map(([start, end]) => ({ start: parseNabTimestamp(start), end: parseNabTimestamp(end) }));
    windowCount += windows.length;
    return { path, ...readDataFile(join(dataDir, path)), windows };
  });
  return { dir, files, profiles: loadProfiles(join(dir, 'config', 'profiles.json')), windowCount };
}

function readDataFile(path: string): { timestamps: Float64Array; values: Float64Array } {
  const table = readCsv(path);
  const ti = columnIndex(table, 'timestamp', path);
  const vi = columnIndex(table, 'value', path);
  const n = table.rows.length;
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = table.rows[i]!;
    timestamps[i] = parseNabTimestamp(row[ti]!);
    values[i] = Number(row[vi]);
  }
  return { timestamps, values };
}

/** `<category>/<name>.csv` for every CSV one level below `data/`. */
function listCsv(dataDir: string): string[] {
  const out: string[] = [];
  for (const category of readdirSync(dataDir).sort()) {
    const sub = join(dataDir, category);
    if (!statSync(sub).isDirectory()) continue;
    for (const name of readdirSync(sub).sort()) if (name.endsWith('.csv')) out.push(`${category}/${name}`);
  }
  return out;
}
