import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { tuneEngine } from '../../src/core/engine-tuning.js';

test('the engine is tuned unless VIGIL_ENGINE_TUNING=off, and tuning twice is harmless', () => {
  assert.equal(tuneEngine({ VIGIL_ENGINE_TUNING: 'off' }), false);
  assert.equal(tuneEngine({}), true);
  assert.equal(tuneEngine({}), true);
});

test('the vigil command starts with the engine tuned, and with it off when asked', () => {
  // V8 ignores a flag it does not know with a warning on stderr: none may appear.
  for (const env of [{}, { VIGIL_ENGINE_TUNING: 'off' }]) {
    const r = spawnSync(process.execPath, [resolve('bin/vigil.js'), '--version'], { encoding: 'utf8', env: { ...process.env, ...env } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
  }
});
