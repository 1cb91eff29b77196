// Result files in NAB's layout, so the official scorer can read ours and we can read its:
// `<resultsDir>/<detector>/<category>/<detector>_<name>.csv`, columns timestamp,value,anomaly_score,label.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NabCorpus, NabDataFile } from './corpus.js';
import { columnIndex, readCsv } from './csv.js';
import { formatNabTimestamp, parseNabTimestamp } from './timestamps.js';
import type { NabWindow } from './types.js';

export interface ResultRows {
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly scores: Float64Array;
  /** 1 inside a labelled window. Written for NAB's layout; scoring uses the windows, not this. */
  readonly labels: Uint8Array;
}

/** `realKnownCause/nyc_taxi.csv` -> `<resultsDir>/<detector>/realKnownCause/<detector>_nyc_taxi.csv`. */
export function resultFilePath(resultsDir: string, detector: string, dataPath: string): string {
  const slash = dataPath.lastIndexOf('/');
  return join(resultsDir, detector, dataPath.slice(0, slash + 1) + `${detector}_${dataPath.slice(slash + 1)}`);
}

export function readResultFile(path: string): ResultRows {
  const table = readCsv(path);
  const ti = columnIndex(table, 'timestamp', path);
  const vi = columnIndex(table, 'value', path);
  const si = columnIndex(table, 'anomaly_score', path);
  const li = table.header.indexOf('label');
  const n = table.rows.length;
  const rows = { timestamps: new Float64Array(n), values: new Float64Array(n), scores: new Float64Array(n), labels: new Uint8Array(n) };
  for (let i = 0; i < n; i++) {
    const row = table.rows[i]!;
    rows.timestamps[i] = parseNabTimestamp(row[ti]!);
    rows.values[i] = Number(row[vi]);
    rows.scores[i] = parseScore(row[si]!);
    rows.labels[i] = li >= 0 && Number(row[li]) === 1 ? 1 : 0;
  }
  return rows;
}

export function writeResultFile(path: string, rows: ResultRows): void {
  const n = rows.timestamps.length;
  const lines = ['timestamp,value,anomaly_score,label'];
  for (let i = 0; i < n; i++) {
    lines.push(`${formatNabTimestamp(rows.timestamps[i]!)},${rows.values[i]},${rows.scores[i]},${rows.labels[i]}`);
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, lines.join('\n') + '\n');
}

/** NAB's label column: 1 for records whose timestamp lies within a window (inclusive). */
export function windowLabels(timestamps: ArrayLike<number>, windows: readonly NabWindow[]): Uint8Array {
  const labels = new Uint8Array(timestamps.length);
  for (const w of windows) {
    for (let i = 0; i < timestamps.length; i++) if (timestamps[i]! >= w.start && timestamps[i]! <= w.end) labels[i] = 1;
  }
  return labels;
}

/**
 * A detector's anomaly scores for every corpus file, in corpus order. Every
 * file must have a result aligned record for record with the data: NAB would
 * score a missing file 0 instead of -fnWeight per window, inflating the total.
 */
export function readDetectorResults(resultsDir: string, detector: string, corpus: NabCorpus): Float64Array[] {
  return corpus.files.map((file) => {
    const path = resultFilePath(resultsDir, detector, file.path);
    if (!existsSync(path)) throw new Error(`missing NAB result for ${file.path}: ${path}`);
    const rows = readResultFile(path);
    checkAligned(rows.timestamps, file, path);
    return rows.scores;
  });
}

/** Writes one result file per corpus file; `scores[i]` belongs to `corpus.files[i]`. */
export function writeDetectorResults(
  resultsDir: string,
  detector: string,
  corpus: NabCorpus,
  scores: readonly ArrayLike<number>[],
): void {
  if (scores.length !== corpus.files.length) throw new Error(`${scores.length} score arrays for ${corpus.files.length} files`);
  corpus.files.forEach((file, f) => {
    const s = scores[f]!;
    if (s.length !== file.timestamps.length) throw new Error(`${file.path}: ${s.length} scores for ${file.timestamps.length} records`);
    writeResultFile(resultFilePath(resultsDir, detector, file.path), {
      timestamps: file.timestamps,
      values: file.values,
      scores: Float64Array.from(s),
      labels: windowLabels(file.timestamps, file.windows),
    });
  });
}

function checkAligned(timestamps: Float64Array, file: NabDataFile, path: string): void {
  if (timestamps.length !== file.timestamps.length) {
    throw new Error(`${path}: ${timestamps.length} records, the data file has ${file.timestamps.length}`);
  }
  for (let i = 0; i < timestamps.length; i++) {
    if (timestamps[i] !== file.timestamps[i]) throw new Error(`${path}: record ${i} has timestamp ${formatNabTimestamp(timestamps[i]!)}, the data file ${formatNabTimestamp(file.timestamps[i]!)}`);
  }
}

/** Python writes NaN as `nan` and pandas may write an empty cell; both mean no score. */
function parseScore(text: string): number {
  return text === '' ? NaN : Number(text.toLowerCase() === 'nan' ? NaN : text);
}
