import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { HEAP_GROWTH_PERCENT, INLINED_BYTECODE_BUDGET, tuneEngine } from '../../src/core/engine-tuning.js';

test('the engine is tuned unless VIGIL_ENGINE_TUNING=off, and tuning twice is harmless', () => {
  assert.equal(tuneEngine({ VIGIL_ENGINE_TUNING: 'off' }), undefined);
  const tuned = { inlinedBytecodeBudget: INLINED_BYTECODE_BUDGET, heapGrowthPercent: HEAP_GROWTH_PERCENT };
  assert.deepEqual(tuneEngine({}), tuned);
  assert.deepEqual(tuneEngine({ VIGIL_HEAP_GROWTH: '50' }), tuned, 'the first tuning stands');
});

test('the vigil command starts with the engine tuned, with another heap growth, and with tuning off when asked', () => {
  // V8 ignores a flag it does not know with a warning on stderr: none may appear.
  for (const env of [{}, { VIGIL_HEAP_GROWTH: '0' }, { VIGIL_HEAP_GROWTH: '150' }, { VIGIL_ENGINE_TUNING: 'off' }]) {
    const r = spawnSync(process.execPath, [resolve('bin/vigil.js'), '--version'], { encoding: 'utf8', env: { ...process.env, ...env } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
  }
});

test('a VIGIL_HEAP_GROWTH that is not a whole percent from 0 to 1000 stops the command with a message naming it', () => {
  for (const bad of ['-5', '2.5', 'lots', '5000']) {
    const r = spawnSync(process.execPath, [resolve('bin/vigil.js'), '--version'], { encoding: 'utf8', env: { ...process.env, VIGIL_HEAP_GROWTH: bad } });
    assert.equal(r.status, 2, bad);
    assert.match(r.stderr, new RegExp(`^vigil: VIGIL_HEAP_GROWTH: expected a whole number of percent from 0 \\(V8's own rule\\) to 1000, not "${bad.replace('.', '\\.')}"\\n$`));
  }
});
