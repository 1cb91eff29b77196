import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  formatNabTimestamp, loadNabCorpus, parseNabTimestamp, readDetectorResults, resultFilePath, scoreDetectorResults,
  writeDetectorResults, type NabCorpus,
} from '../../../src/detect/nab/index.js';
import { LOW_FN, LOW_FP, STANDARD, fileWith } from './fixtures.js';

test('timestamps are read as UTC and written as YYYY-MM-DD HH:MM:SS', () => {
  const ms = parseNabTimestamp('2014-04-10 07:15:00.000000');
  assert.equal(ms, Date.UTC(2014, 3, 10, 7, 15));
  assert.equal(parseNabTimestamp('2014-04-10 07:15:00'), ms);
  assert.equal(formatNabTimestamp(ms), '2014-04-10 07:15:00');
  assert.throws(() => parseNabTimestamp('10/04/2014'), /not a NAB timestamp/);
});

test('result paths follow NAB: <dir>/<detector>/<category>/<detector>_<name>.csv', () => {
  assert.equal(resultFilePath('/r', 'vigil', 'realKnownCause/nyc_taxi.csv'), join('/r', 'vigil', 'realKnownCause', 'vigil_nyc_taxi.csv'));
});

/** A two-file corpus in memory. */
function tinyCorpus(): NabCorpus {
  const a = fileWith(1000, [[500, 599]], []);
  const b = fileWith(1000, [], []);
  const file = (path: string, f: typeof a) => ({ path, timestamps: Float64Array.from(f.timestamps), values: Float64Array.from({ length: 1000 }, (_, i) => i / 4), windows: f.windows });
  return { dir: '/nowhere', files: [file('catA/one.csv', a), file('catB/two.csv', b)], profiles: [STANDARD, LOW_FP, LOW_FN], windowCount: 1 };
}

test('results round-trip through NAB-layout files and score', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nab-results-'));
  try {
    const corpus = tinyCorpus();
    const one = new Float64Array(1000);
    one[500] = 1; // a detection at the window start
    const two = new Float64Array(1000);
    writeDetectorResults(dir, 'det', corpus, [one, two]);

    const text = readFileSync(join(dir, 'det', 'catA', 'det_one.csv'), 'utf8').split('\n');
    assert.equal(text[0], 'timestamp,value,anomaly_score,label');
    assert.equal(text[1], '2014-04-01 00:00:00,0,0,0');
    assert.equal(text[501], '2014-04-01 08:20:00,125,1,1');

    const back = readDetectorResults(dir, 'det', corpus);
    assert.deepEqual(back.map((s) => Array.from(s)), [Array.from(one), Array.from(two)]);

    const scored = scoreDetectorResults(dir, 'det', corpus);
    assert.deepEqual(Object.keys(scored), ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']);
    for (const r of Object.values(scored)) {
      assert.equal(r.threshold, 1);
      assert.equal(r.rawScore, 1);
      assert.equal(r.score, 100);
      assert.deepEqual(r.perFile.map((f) => [f.file, f.score, f.tp, f.total]), [['catA/one.csv', 1, 1, 1000], ['catB/two.csv', 0, 0, 1000]]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing result file is an error, not a zero score', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nab-results-'));
  try {
    assert.throws(() => readDetectorResults(dir, 'det', tinyCorpus()), /missing NAB result for catA\/one\.csv/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an absent corpus is reported with the path and the override', () => {
  assert.throws(() => loadNabCorpus('/nonexistent/nab'), /NAB corpus not found at \/nonexistent\/nab.*VIGIL_SHARED_DIR/);
});
