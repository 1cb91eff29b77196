import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSweepTable, scoreFile, sweepThreshold, type NabProfile, type ScoringInput } from '../../../src/detect/nab/index.js';
import { PROFILES, STANDARD, fileWith, minutes, rng, windowOf } from './fixtures.js';

/** Random files with few distinct scores (many ties) and a few windows each. */
function randomCorpus(seed: number): ScoringInput[] {
  const next = rng(seed);
  return Array.from({ length: 4 }, () => {
    const n = 200 + Math.floor(next() * 300);
    const timestamps = minutes(n);
    const windows = [];
    for (let start = 40 + Math.floor(next() * 60); start + 30 < n; start += 60 + Math.floor(next() * 120)) {
      const end = start + 5 + Math.floor(next() * 25);
      windows.push(windowOf(timestamps, start, end));
    }
    const scores = Float64Array.from({ length: n }, () => Math.round(next() ** 3 * 40) / 40);
    return { timestamps, scores, windows };
  });
}

/** What NAB's sweep computes, the slow way: rescore the corpus at every distinct score, keep the first best. */
function bruteForce(files: ScoringInput[], profile: NabProfile): { threshold: number; score: number } {
  const thresholds = [1.1, ...new Set(files.flatMap((f) => Array.from(f.scores)))].sort((a, b) => b - a);
  let best = { threshold: NaN, score: -Infinity };
  for (const threshold of thresholds) {
    const score = files.reduce((s, f) => s + scoreFile(f, profile, threshold).score, 0);
    if (score > best.score + 1e-12) best = { threshold, score };
  }
  return best;
}

test('the incremental sweep finds the same threshold and total as rescoring at every threshold', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const files = randomCorpus(seed);
    const table = buildSweepTable(files);
    for (const profile of PROFILES) {
      const fast = sweepThreshold(table, profile);
      const slow = bruteForce(files, profile);
      assert.equal(fast.threshold, slow.threshold, `seed ${seed} ${profile.name}`);
      assert.ok(Math.abs(fast.rawScore - slow.score) < 1e-9, `seed ${seed} ${profile.name}: ${fast.rawScore} vs ${slow.score}`);
      const counts = files.map((f) => scoreFile(f, profile, fast.threshold));
      for (const k of ['tp', 'tn', 'fp', 'fn'] as const) assert.equal(fast[k], counts.reduce((s, c) => s + c[k], 0));
    }
  }
});

test('when detecting nothing is best, the threshold is 1.1 and the total is -fnWeight per window', () => {
  // Only FPs reach a positive score.
  const file = fileWith(1000, [[500, 599]], [300, 700]);
  const r = sweepThreshold(buildSweepTable([file]), STANDARD);
  assert.equal(r.threshold, 1.1);
  assert.equal(r.rawScore, -1);
  assert.equal(r.candidates, 3, '1.1, then the distinct scores 1 and 0');
});

test('among equal totals the highest threshold wins, as in NAB', () => {
  // Scores 0.9 and 0.8 both fall in an already-detected window: the total does not change below 1.
  const file = fileWith(1000, [[500, 599]], [500]);
  const scores = Float64Array.from(file.scores);
  scores[510] = 0.9;
  scores[520] = 0.8;
  const r = sweepThreshold(buildSweepTable([{ ...file, scores }]), STANDARD);
  assert.equal(r.threshold, 1);
  assert.equal(r.rawScore, 1);
});

test('NaN scores are never detected', () => {
  const file = fileWith(1000, [[500, 599]], [500]);
  const scores = Float64Array.from(file.scores);
  scores[300] = NaN;
  const r = sweepThreshold(buildSweepTable([{ ...file, scores }]), STANDARD);
  assert.deepEqual([r.threshold, r.rawScore, r.fp, r.tn], [1, 1, 0, 750]);
});
