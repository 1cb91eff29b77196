/**
 * The Numenta Anomaly Benchmark's file conventions, so NAB's scorer (and Vigil's own NAB runner)
 * can read simulated data: `timestamp,value` CSVs with UTC `YYYY-MM-DD HH:MM:SS` times, and label
 * files whose windows are sized as NAB's labeler sizes them.
 */

/** `2014-04-10 07:15:00`, UTC (as in NAB data files and combined_labels.json). */
export function nabTimestamp(t: number): string {
  const iso = new Date(t).toISOString(); // 2014-04-10T07:15:00.000Z
  return iso.slice(0, 10) + ' ' + iso.slice(11, 19);
}

/** `2014-04-10 07:15:00.000000` (as in combined_windows.json). */
export function nabWindowTimestamp(t: number): string {
  const ms = ((t % 1000) + 1000) % 1000;
  return nabTimestamp(t) + '.' + String(ms * 1000).padStart(6, '0');
}

/** A value as NAB files write them: plain decimals, ten significant digits at most. */
export function nabValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(10)));
}

export interface NabWindowOptions {
  /** Total window length as a fraction of the file, shared between its anomalies. NAB: 0.10. */
  windowSize?: number;
  /** Leading part of the file where detectors are still learning. NAB: 0.15, capped at 750 records. */
  probationaryPercent?: number;
}

export interface NabWindows {
  /** Anomaly record indices kept (those in the probationary period are dropped, as NAB does). */
  anomalies: number[];
  /** Windows as inclusive record index pairs, merged where they overlap. */
  windows: Array<[number, number]>;
  /** Anomaly indices dropped because their window starts inside the probationary period. */
  dropped: number[];
}

/**
 * NAB's labeler: each anomaly gets a window of floor(windowSize * length / anomalies) records
 * centred on it (clipped to the file); windows starting in the probationary period are removed;
 * overlapping windows are merged.
 */
export function nabWindows(length: number, anomalyIndices: readonly number[], opts: NabWindowOptions = {}): NabWindows {
  const windowSize = opts.windowSize ?? 0.1;
  const probationaryPercent = opts.probationaryPercent ?? 0.15;
  const anomalies = [...new Set(anomalyIndices)].filter((i) => i >= 0 && i < length).sort((a, b) => a - b);
  if (anomalies.length === 0 || length === 0) return { anomalies: [], windows: [], dropped: [] };
  const windowLength = Math.floor((windowSize * length) / anomalies.length);
  const half = Math.floor(windowLength / 2);
  const probation = Math.min(Math.floor(probationaryPercent * length), probationaryPercent * 5000);
  const kept: number[] = [];
  const dropped: number[] = [];
  const windows: Array<[number, number]> = [];
  for (const a of anomalies) {
    const front = Math.max(a - half, 0);
    const back = Math.min(a + half, length - 1);
    if (front < probation) {
      dropped.push(a);
      continue;
    }
    kept.push(a);
    const last = windows[windows.length - 1];
    if (last && front <= last[1]) last[1] = Math.max(last[1], back);
    else windows.push([front, back]);
  }
  return { anomalies: kept, windows, dropped };
}

/** JSON with sorted keys and four-space indents, the layout of NAB's label files. */
export function nabJson(record: Record<string, unknown>): string {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(record).sort()) sorted[k] = record[k];
  return JSON.stringify(sorted, null, 4);
}
