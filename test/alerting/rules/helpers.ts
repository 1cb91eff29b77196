import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { openStore } from '../../../src/store/index.js';
import type { SampleStore } from '../../../src/store/types.js';
import type { Labels } from '../../../src/core/labels.js';
import type { AlertEvent } from '../../../src/core/events.js';
import { parseRuleFile } from '../../../src/alerting/rules/load.js';
import type { Rule } from '../../../src/alerting/rules/types.js';

export const T0 = 1_700_000_000_000;
export const SEC = 1000;
export const MIN = 60_000;

/** A real embedded store in a temporary directory, closed and removed when the test ends. */
export function tempStore(t: TestContext): SampleStore {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
  const store = openStore({ dir, checkpointIntervalMs: 0, fsync: 'never' });
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

/** Writes one series: `points` are [time ms, value]. */
export function write(store: SampleStore, labels: Labels, points: ReadonlyArray<readonly [number, number]>): void {
  const r = store.append([{ labels, timestamps: points.map((p) => p[0]), values: points.map((p) => p[1]) }]);
  if (r.accepted !== points.length) throw new Error(`store refused samples: ${JSON.stringify(r.rejected)}`);
}

/** Samples every `stepMs` from `from` to `to` inclusive, valued by `f(t)`. */
export function fill(from: number, to: number, stepMs: number, f: (t: number) => number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let t = from; t <= to; t += stepMs) out.push([t, f(t)]);
  return out;
}

/** Rules from YAML text, as in a rule file. */
export function rules(yaml: string): Rule[] {
  return parseRuleFile(yaml, 'test-rules.yaml');
}

/** "state labels" summaries of events, for readable assertions. */
export function states(events: readonly AlertEvent[], label?: string): string[] {
  return events.map((e) => (label ? `${e.state} ${e.labels[label] ?? ''}` : e.state));
}
