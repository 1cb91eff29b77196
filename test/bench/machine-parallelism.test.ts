import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureParallelism } from '../../bench/machine-parallelism.js';

// bench:ingest's machine check. What the speedup is depends on the machine and on
// whatever else runs (other test files, here), so only its meaning is asserted.

for (const kernel of ['arithmetic', 'ensemble'] as const) {
  test(`the ${kernel} kernel is timed alone and as a pair, and the speedup is the pair's work over one thread's`, async () => {
    const r = await measureParallelism(kernel, 150);
    assert.ok(r.aloneNs > 0 && Number.isFinite(r.aloneNs), `alone: ${r.aloneNs} ns`);
    assert.ok(r.pairNs > 0 && Number.isFinite(r.pairNs), `pair: ${r.pairNs} ns`);
    assert.ok(Math.abs(r.speedup - (2 * r.aloneNs) / r.pairNs) < 1e-9);
    // Two threads can at best do twice one thread's work (with some timing slack).
    assert.ok(r.speedup > 0 && r.speedup < 2.5, `speedup ${r.speedup}`);
  });
}
