import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/simulate/index.js';
import { SmoothNoiseCache, hashNormal, smoothNoise } from '../../src/simulate/noise.js';

function moments(draw: (i: number) => number, n = 200_000): { mean: number; sd: number } {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const z = draw(i);
    s += z;
    s2 += z * z;
  }
  const mean = s / n;
  return { mean, sd: Math.sqrt(s2 / n - mean * mean) };
}

test('the seeded generator repeats itself and covers its ranges', () => {
  const a = new Rng(123);
  const b = new Rng(123);
  for (let i = 0; i < 1000; i++) assert.equal(a.nextU32(), b.nextU32());
  const r = new Rng('x');
  for (let i = 0; i < 1000; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    const k = r.int(3, 5);
    assert.ok(k >= 3 && k <= 5 && Number.isInteger(k));
  }
  const g = new Rng(7);
  const { mean, sd } = moments(() => g.normal());
  assert.ok(Math.abs(mean) < 0.01 && Math.abs(sd - 1) < 0.01, `Box-Muller: mean ${mean}, sd ${sd}`);
  const p = new Rng(9);
  const { mean: pm } = moments(() => p.poisson(3), 50_000);
  assert.ok(Math.abs(pm - 3) < 0.05);
});

test('hashed noise is standard normal, and the same for the same key', () => {
  const { mean, sd } = moments((i) => hashNormal(42, 7, 1_700_000_000_000 + i * 10_000));
  assert.ok(Math.abs(mean) < 0.01 && Math.abs(sd - 1) < 0.01, `mean ${mean}, sd ${sd}`);
  assert.equal(hashNormal(1, 2, 3), hashNormal(1, 2, 3));
  assert.notEqual(hashNormal(1, 2, 3), hashNormal(1, 2, 4));
});

test('smooth noise is continuous, and the cached version equals the stateless one in any order', () => {
  const cache = new SmoothNoiseCache(1);
  const times = [5, 1, 9, 3, 7, 2].map((h) => h * 3_600_000 + 123_456);
  for (const t of times) assert.equal(cache.value(0, 1, 2, t, 7_200_000), smoothNoise(1, 2, t, 7_200_000));
  let maxStep = 0;
  for (let t = 0; t < 86_400_000; t += 60_000) maxStep = Math.max(maxStep, Math.abs(smoothNoise(1, 2, t + 60_000, 7_200_000) - smoothNoise(1, 2, t, 7_200_000)));
  assert.ok(maxStep < 0.2, `one minute moves it by at most ${maxStep}`);
});
