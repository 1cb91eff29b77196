import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VIGIL_BIN, tempDir } from '../helpers/vigil-process.js';

function vigil(...args: string[]) {
  const r = spawnSync(process.execPath, [VIGIL_BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cycle = (t: number) => 100 + 20 * Math.sin((2 * Math.PI * t) / 24);

test('vigil forecast FILE.csv: M4 wide layout in, M4 submission layout out (mean, lower, upper)', () => {
  const dir = tempDir();
  const file = join(dir, 'wide.csv');
  const header = Array.from({ length: 24 * 10 + 1 }, (_, c) => `"V${c + 1}"`).join(',');
  const rows = [header, ...['H1', 'H2'].map((id, k) => [`"${id}"`, ...Array.from({ length: 24 * 10 - k * 24 }, (_, t) => (cycle(t) + k + (((t * 37) % 11) - 5) * 0.3).toFixed(2))].join(','))];
  writeFileSync(file, rows.join('\n') + '\n');
  const out = join(dir, 'forecast.csv');
  const r = vigil('forecast', file, '--horizon', '12', '--season', '24', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /2 series \(wide layout\), horizon 12, season 24/);
  const mean = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(mean[0], ['id', ...Array.from({ length: 12 }, (_, h) => `F${h + 1}`)].join(','));
  assert.equal(mean.length, 3);
  const h1 = mean[1].split(',');
  assert.equal(h1[0], 'H1');
  for (let h = 0; h < 12; h++) assert.ok(Math.abs(Number(h1[h + 1]) - cycle(240 + h)) < 3, `F${h + 1} ${h1[h + 1]}`);
  const lower = readFileSync(join(dir, 'forecast-lower.csv'), 'utf8').trim().split('\n')[1].split(',');
  const upper = readFileSync(join(dir, 'forecast-upper.csv'), 'utf8').trim().split('\n')[1].split(',');
  for (let h = 1; h <= 12; h++) assert.ok(Number(lower[h]) < Number(h1[h]) && Number(h1[h]) < Number(upper[h]));
});

test('vigil forecast FILE.csv: long layout in, timestamps continue the series', () => {
  const dir = tempDir();
  const file = join(dir, 'long.csv');
  const start = Date.parse('2024-03-01T00:00:00Z');
  const lines = ['id,timestamp,value'];
  for (let t = 0; t < 24 * 8; t++) lines.push(`cpu,${new Date(start + t * 3600_000).toISOString()},${cycle(t).toFixed(3)}`);
  writeFileSync(file, lines.join('\n') + '\n');
  const r = vigil('forecast', file, '--horizon', '3', '--season', '24');
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.trim().split('\n');
  assert.equal(out[0], 'id,timestamp,mean,lower,upper,model');
  assert.equal(out.length, 4);
  const [id, when, mean] = out[1].split(',');
  assert.equal(id, 'cpu');
  assert.equal(when, new Date(start + 24 * 8 * 3600_000).toISOString());
  assert.ok(Math.abs(Number(mean) - cycle(0)) < 3);
});

test('vigil forecast FILE.csv: a bad line is an error naming the file and line', () => {
  const dir = tempDir();
  const wide = join(dir, 'bad-wide.csv');
  writeFileSync(wide, 'V1,V2,V3,V4\nA,1,2,3\nB,1,oops,3\n');
  const r = vigil('forecast', wide, '--horizon', '2');
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`${wide.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: v3: "oops" is not a number`));
  const long = join(dir, 'bad-long.csv');
  writeFileSync(long, 'id,timestamp,value\na,2024-01-01 00:00:00,1\na,yesterday,2\n');
  const s = vigil('forecast', long);
  assert.equal(s.code, 2);
  assert.match(s.stderr, /bad-long\.csv:3: timestamp: "yesterday" is not a time/);
  const u = vigil('forecast', long, '--horizon', '0');
  assert.equal(u.code, 2);
  assert.match(u.stderr, /--horizon: expected a whole number/);
});
