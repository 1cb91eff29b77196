import { test } from 'node:test';
import assert from 'node:assert/strict';
import { machineWarnings, measureParallelism } from '../../bench/machine-parallelism.js';

// bench:ingest's machine check. What the speedup is depends on the machine and on
// whatever else runs (other test files, here), so only its meaning is asserted.

for (const kernel of ['arithmetic', 'ensemble'] as const) {
  test(`the ${kernel} kernel is timed alone and as a pair, and the speedup is the pair's work over one thread's`, async () => {
    const r = await measureParallelism(kernel, 150);
    assert.ok(r.aloneNs > 0 && Number.isFinite(r.aloneNs), `alone: ${r.aloneNs} ns`);
    assert.ok(r.pairNs > 0 && Number.isFinite(r.pairNs), `pair: ${r.pairNs} ns`);
    assert.ok(Math.abs(r.speedup - (2 * r.aloneNs) / r.pairNs) < 1e-9);
    // Not bounded by 2 here: on a host whose speed varies, 150 ms windows have given 3.4
    // (machineWarnings reports such a run instead of trusting it).
    assert.ok(r.speedup > 0 && Number.isFinite(r.speedup), `speedup ${r.speedup}`);
  });
}

test('the machine check warns when the second core is busy, when the host changed speed during it, and when the host is slower than the committed run', () => {
  const p = (aloneNs: number, speedup: number) => ({ aloneNs, pairNs: (2 * aloneNs) / speedup, speedup });
  assert.deepEqual(machineWarnings(p(330, 1.95), p(10, 1.97), 330), [], 'a free machine like the committed run');
  assert.match(machineWarnings(p(330, 1.2), p(10, 1.97), 330).join('\n'), /two threads do 1\.20x the work of one .*something else is using this machine/);
  // This session's run: the kernel took 977 ns alone and 655 in a pair.
  const slow = machineWarnings(p(977, 2.98), p(10, 1.9), 330);
  assert.equal(slow.length, 2);
  assert.match(slow[0]!, /2\.98x .* the host's speed changed during the check/);
  assert.match(slow[1]!, /977 ns a sample on one thread, 2\.96x the 330 ns of the committed results: this host is slower/);
  assert.deepEqual(machineWarnings(p(977, 1.9), p(10, 1.9), undefined), [], 'no committed run to compare with');
});
