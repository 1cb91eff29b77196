import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  MAX_TP, loadNabCorpus, nabDir, normalizedScore, readDetectorResults, scaledSigmoid, scoreAnomalyScores, scoreFile,
  type NabCorpus,
} from '../../../src/detect/nab/index.js';
import { LOW_FN, STANDARD, fileWith } from './fixtures.js';

// 1000 records: the first 150 are probationary; one window over records 500..599 (width 100).
const N = 1000;
const WINDOW: [number, number] = [500, 599];

test('a detection at the window start earns exactly tpWeight', () => {
  const r = scoreFile(fileWith(N, [WINDOW], [500]), STANDARD, 0.5);
  assert.equal(r.score, 1);
  assert.deepEqual({ tp: r.tp, fp: r.fp, fn: r.fn, tn: r.tn }, { tp: 1, fp: 0, fn: 99, tn: 750 });
});

test('a detection at the window end earns little; halfway earns 0.848 / 0.987', () => {
  const end = scoreFile(fileWith(N, [WINDOW], [599]), STANDARD, 0.5).score;
  assert.ok(Math.abs(end - scaledSigmoid(-0.01) / MAX_TP) < 1e-15);
  assert.ok(end > 0 && end < 0.03);
  const mid = scoreFile(fileWith(N, [WINDOW], [550]), STANDARD, 0.5).score;
  assert.ok(Math.abs(mid - (2 / (1 + Math.exp(-2.5)) - 1) / MAX_TP) < 1e-12);
});

test('a missed window costs fnWeight', () => {
  assert.equal(scoreFile(fileWith(N, [WINDOW], []), STANDARD, 0.5).score, -1);
  assert.equal(scoreFile(fileWith(N, [WINDOW], []), LOW_FN, 0.5).score, -2);
});

test('an FP before any window, or far after one, costs the full fpWeight', () => {
  assert.equal(scoreFile(fileWith(N, [], [300]), STANDARD, 0.5).score, -0.11);
  // Record 999 is (999 - 599) / 99 > 3 window-widths past the window: pinned to -1.
  const after = scoreFile(fileWith(N, [WINDOW], [500, 999]), STANDARD, 0.5);
  assert.ok(Math.abs(after.score - (1 - 0.11)) < 1e-15);
  assert.equal(after.fp, 1);
});

test('an FP just after a window costs a small share of fpWeight', () => {
  const r = scoreFile(fileWith(N, [WINDOW], [500, 600]), STANDARD, 0.5);
  const fp = scaledSigmoid(1 / 99) * 0.11;
  assert.ok(fp < 0 && fp > -0.003);
  assert.ok(Math.abs(r.score - (1 + fp)) < 1e-15);
});

test('only the earliest detection in a window counts', () => {
  const r = scoreFile(fileWith(N, [WINDOW], [500, 510, 520, 599]), STANDARD, 0.5);
  assert.equal(r.score, 1);
  assert.equal(r.tp, 4, 'every detected record in a window is a TP record');
  const late = scoreFile(fileWith(N, [WINDOW], [520, 550]), STANDARD, 0.5).score;
  assert.equal(late, scoreFile(fileWith(N, [WINDOW], [520]), STANDARD, 0.5).score);
});

test('detections in the probationary period are ignored', () => {
  // min(floor(0.15 * 1000), 750) = 150 records are probationary.
  const r = scoreFile(fileWith(N, [WINDOW], [0, 100, 149]), STANDARD, 0.5);
  assert.deepEqual(r, { score: -1, tp: 0, tn: 750, fp: 0, fn: 100 });
  assert.equal(scoreFile(fileWith(N, [WINDOW], [150]), STANDARD, 0.5).fp, 1);
  // A window wholly inside the probationary period is not scored at all.
  assert.equal(scoreFile(fileWith(N, [[10, 20]], []), STANDARD, 0.5).score, 0);
});

test('detection is score >= threshold', () => {
  const input = fileWith(N, [WINDOW], [500]);
  assert.equal(scoreFile(input, STANDARD, 1).score, 1);
  assert.equal(scoreFile(input, STANDARD, 1.0000001).score, -1);
});

test('normalisation: null detector 0, perfect detector 100', () => {
  assert.equal(normalizedScore(-116, STANDARD, 116), 0);
  assert.equal(normalizedScore(116, STANDARD, 116), 100);
  assert.equal(normalizedScore(-232, LOW_FN, 116), 0);
  assert.ok(Math.abs(normalizedScore(-24.0131054891, STANDARD, 116) - 39.6495) < 1e-4);
});

// --- The published Windowed Gaussian row, from NAB's own result files. ---

function corpusOrFail(): NabCorpus {
  const dir = nabDir();
  if (!existsSync(dir)) assert.fail(`NAB corpus not found at ${dir}: put it at ../shared/datasets/nab or set VIGIL_SHARED_DIR`);
  return loadNabCorpus(dir);
}

interface PublishedRow { threshold: number; score: number; tp: number; tn: number; fp: number; fn: number; total: number }

/** windowedGaussian_<profile>_scores.csv: Detector,Profile,File,Threshold,Score,TP,TN,FP,FN,Total_Count (+ a Totals row). */
function published(corpus: NabCorpus, profile: string): Map<string, PublishedRow> {
  const path = join(corpus.dir, 'results', 'windowedGaussian', `windowedGaussian_${profile}_scores.csv`);
  const rows = new Map<string, PublishedRow>();
  for (const line of readFileSync(path, 'utf8').trim().split('\n').slice(1)) {
    const c = line.trim().split(',');
    const [threshold, score, tp, tn, fp, fn, total] = c.slice(3).map(Number) as [number, number, number, number, number, number, number];
    rows.set(c[0] === 'Totals' ? 'Totals' : c[2]!, { threshold, score, tp, tn, fp, fn, total });
  }
  return rows;
}

test('reproduces the published Windowed Gaussian scores (39.65 / 20.87 / 47.41) and its per-file scores', (t) => {
  const corpus = corpusOrFail();
  assert.equal(corpus.files.length, 58);
  assert.equal(corpus.windowCount, 116);

  const started = performance.now();
  const scores = readDetectorResults(join(corpus.dir, 'results'), 'windowedGaussian', corpus);
  const read = performance.now();
  const results = scoreAnomalyScores(corpus, scores);
  const done = performance.now();
  t.diagnostic(`read results ${(read - started).toFixed(0)} ms; sweep + score 3 profiles ${(done - read).toFixed(0)} ms`);
  assert.ok(done - read < 5000, 'the exact sweep must take seconds at most');

  // NAB's results/final_results.json (= scoreboard.json) and the rounded published row.
  const board = JSON.parse(readFileSync(join(corpus.dir, 'scoreboard.json'), 'utf8')).windowedGaussian as Record<string, number>;
  const expected: Record<string, number> = { standard: 39.65, reward_low_FP_rate: 20.87, reward_low_FN_rate: 47.41 };
  for (const [profile, figure] of Object.entries(expected)) {
    const r = results[profile]!;
    t.diagnostic(`${profile}: threshold ${r.threshold}, raw ${r.rawScore}, normalised ${r.score}`);
    assert.ok(Math.abs(r.score - figure) < 0.005, `${profile}: ${r.score} vs ${figure}`);
    assert.ok(Math.abs(r.score - board[profile]!) < 1e-6, `${profile}: ${r.score} vs scoreboard ${board[profile]}`);

    const rows = published(corpus, profile);
    assert.equal(r.perFile.length, rows.size - 1);
    for (const f of r.perFile) {
      const p = rows.get(f.file);
      assert.ok(p, `${f.file} missing from the published scores`);
      assert.equal(r.threshold, p.threshold, 'the sweep finds the published threshold');
      assert.ok(Math.abs(f.score - p.score) < 1e-9, `${profile} ${f.file}: ${f.score} vs ${p.score}`);
      assert.deepEqual([f.tp, f.tn, f.fp, f.fn, f.total], [p.tp, p.tn, p.fp, p.fn, p.total], `${profile} ${f.file} counts`);
    }
    const totals = rows.get('Totals')!;
    assert.ok(Math.abs(r.rawScore - totals.score) < 1e-8, `${profile} total ${r.rawScore} vs ${totals.score}`);
  }
});
