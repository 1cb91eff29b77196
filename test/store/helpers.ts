import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { EmbeddedStore } from '../../src/store/embedded-store.js';
import type { StoreOptions } from '../../src/store/types.js';
import type { LabelMatcher } from '../../src/core/matchers.js';

/** A fresh directory removed when the test ends. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens a store whose timers stay out of the way unless the test asks for them. */
export function open(dir: string, opts: Partial<StoreOptions> = {}): EmbeddedStore {
  return new EmbeddedStore({ dir, checkpointIntervalMs: 0, fsync: 'never', ...opts });
}

export function eq(name: string, value: string): LabelMatcher {
  return { name, type: '=', value };
}

/** Timestamps and values of one series as plain arrays. */
export function readOne(store: EmbeddedStore, ms: LabelMatcher[], start = -Infinity, end = Infinity): { t: number[]; v: number[] } {
  const r = store.read(ms, start, end);
  if (r.length === 0) return { t: [], v: [] };
  if (r.length > 1) throw new Error(`expected one series, got ${r.length}`);
  return { t: [...r[0]!.timestamps], v: [...r[0]!.values] };
}

export const T0 = 1_700_000_000_000;
