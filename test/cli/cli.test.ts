import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VIGIL_BIN, tempDir } from '../helpers/vigil-process.js';

function vigil(args: string[], timeout = 60_000) {
  return spawnSync(process.execPath, [VIGIL_BIN, ...args], { encoding: 'utf8', timeout });
}

test('vigil demo --duration runs the simulated fleet through the pipeline and exits cleanly', { timeout: 90_000 }, () => {
  const dir = tempDir('vigil-demo-test-');
  const r = vigil(['demo', '--duration', '4s', '--listen', '127.0.0.1:0', '--dir', dir, '--backfill', '30m', '--no-view']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /vigil demo: \d+ series from \d+ services/);
  assert.match(r.stdout, /backfill: done \(\d+ samples\)/);
  const m = /stopped after (\d+) samples in (\d+) series/.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.ok(Number(m[1]) > 10_000, 'the demo wrote a meaningful amount of data');
  assert.match(r.stdout, /data kept in/);
});

test('vigil config check accepts the example and refuses a bad file with file:line and exit code 2', () => {
  const ok = vigil(['config', 'check', 'vigil.example.yaml']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /configuration is valid/);

  const dir = tempDir();
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'server:\n  listen: 127.0.0.1:9470\nstorage:\n  retension: 15d\n');
  const r = vigil(['config', 'check', bad]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:3: storage\\.retension: unknown key "retension", did you mean "retention"\\?`));
});

test('every command has --help', () => {
  for (const cmd of [[], ['serve'], ['demo'], ['config'], ['config', 'check']]) {
    const r = vigil([...cmd, '--help']);
    assert.equal(r.status, 0, `${cmd.join(' ')} --help`);
    assert.match(r.stdout, /Usage: vigil/);
  }
});

test('bad flags are usage errors (exit 2) with the flag named', () => {
  const r = vigil(['demo', '--speed', 'fast', '--duration', '1s']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--speed: expected a positive number/);
});
