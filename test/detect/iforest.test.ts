import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IsolationForestDetector, parseCsv, scoreTable, tableScoreToCsv } from '../../src/detect/index.js';
import { STEP, T0, feedSines, gaussian } from './synthetic.js';

/** cpu ~ 50 +- 10; latency follows cpu (2 * cpu + noise); row `at` breaks the relation. */
function correlated(n: number, at: number, seed = 3): { cpu: Float64Array; lat: Float64Array } {
  const g = gaussian(seed);
  const cpu = new Float64Array(n), lat = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    cpu[i] = 50 + 10 * Math.sin(i / 20) + g();
    lat[i] = 2 * cpu[i]! + g();
  }
  cpu[at] = 40; // both values within their normal ranges, but not together
  lat[at] = 121;
  return { cpu, lat };
}

describe('isolation forest', () => {
  it('flags a row that breaks the relation between metrics', () => {
    const n = 1500, at = 1200;
    const { cpu, lat } = correlated(n, at);
    const f = new IsolationForestDetector(2);
    const scores: number[] = [];
    let flaggedAt = -1;
    for (let i = 0; i < n; i++) {
      const r = f.update(T0 + i * STEP, [cpu[i]!, lat[i]!]);
      scores.push(r.score);
      if (i === at) {
        assert.ok(r.anomalous && r.flagged, `score ${r.score}`);
        assert.equal(r.metric, 1, 'latency is the metric furthest from its rolling mean');
        flaggedAt = i;
      }
    }
    assert.equal(flaggedAt, at);
    assert.ok(scores[at]! > 0.99, `calibrated ${scores[at]}`);
    // Contamination sets the share of flagged normal rows (about 5%).
    const normal = scores.slice(300, at).filter((s) => s >= f.threshold).length / (at - 300);
    assert.ok(normal < 0.12, `normal rows flagged: ${normal}`);
  });

  it('honours contamination, threshold and consecutive settings', () => {
    const f = new IsolationForestDetector(1, { contamination: 0.01, consecutive: 3 });
    assert.ok(Math.abs(f.threshold - 0.99) < 1e-12);
    const g = new IsolationForestDetector(1, { threshold: 0.9 });
    assert.equal(g.threshold, 0.9);
    // A single anomalous row is not flagged when 3 in a row are required.
    const { cpu } = correlated(800, 700);
    cpu[700] = 500;
    let flagged = false;
    for (let i = 0; i < 800; i++) {
      const r = f.update(T0 + i * STEP, [cpu[i]!]);
      if (i === 700) {
        assert.ok(r.anomalous);
        flagged = r.flagged;
      }
    }
    assert.equal(flagged, false);
  });

  it('scores a clear outlier near 1 whatever the forest seed, including while the forest is young', () => {
    // Row 700 comes 380 rows after the first forest grown from the full sample (psi 256)
    // and 636 after the first one (psi 64), whose scores are still in the calibration.
    const { cpu } = correlated(800, 700);
    cpu[700] = 500;
    for (let seed = 1; seed <= 8; seed++) {
      const f = new IsolationForestDetector(1, { seed });
      const scores = Array.from(cpu, (c, i) => f.update(T0 + i * STEP, [c]).score);
      assert.ok(scores[700]! >= 0.98, `seed ${seed}: ${scores[700]}`);
    }
  });

  it('save/restore gives identical scores', () => {
    const { cpu, lat } = correlated(900, 800);
    const whole = new IsolationForestDetector(2, { trees: 30 });
    const expected = Array.from(cpu, (c, i) => whole.update(T0 + i * STEP, [c, lat[i]!]).score);
    const a = new IsolationForestDetector(2, { trees: 30 });
    for (let i = 0; i < 500; i++) a.update(T0 + i * STEP, [cpu[i]!, lat[i]!]);
    const b = IsolationForestDetector.restore(JSON.parse(JSON.stringify(a.snapshot())));
    for (let i = 500; i < 900; i++) assert.equal(b.update(T0 + i * STEP, [cpu[i]!, lat[i]!]).score, expected[i]);
  });

  it('carries a missing value forward from the row before', () => {
    const d = new IsolationForestDetector(2, { trees: 5 });
    for (const row of [[10, 1], [20, 2], [40, NaN], [NaN, NaN]]) d.update(T0, row);
    const values = new Float64Array(Buffer.from(d.snapshot().values ?? '', 'base64').buffer.slice(0));
    const ring = values.length / 2;
    assert.deepEqual([...values.subarray(0, 4)], [10, 20, 40, 40]);
    assert.deepEqual([...values.subarray(ring, ring + 4)], [1, 2, 2, 2]);
  });

  it('keeps its training window as values: a host of 16 metrics holds 2,048 rows in under 300 kB, not 3.7 MB of feature vectors', () => {
    const d = new IsolationForestDetector(16, { trees: 10 });
    feedSines(d, 16, 2100);
    const snap = d.snapshot();
    const bytes = (s: string | undefined) => Buffer.from(s ?? '', 'base64').length;
    const window = bytes(snap.values) + bytes(snap.hours) + bytes(snap.days);
    assert.equal(snap.seed, undefined);
    assert.ok(window < 300_000, `${window} bytes`);
    assert.ok(window > 16 * 2048 * 8, `${window} bytes`);
  });

  it('trains on exactly the features each row was scored with (derived again from the kept values)', () => {
    const cfg = { trees: 5, window: 64, sampleSize: 32, minRows: 16 };
    const d = new IsolationForestDetector(3, cfg);
    const scored: Float64Array[] = [];
    for (let i = 0; i < 200; i++) {
      const row = [50 + 10 * Math.sin(i / 7), i % 13 === 0 ? NaN : 2 * i, 1 / (1 + (i % 5))];
      d.update(T0 + i * 3_600_000, row); // an hour apart: the time features change every row
      scored.push(d['feature'].slice());
    }
    // What training reads for each window slot, one feature at a time over all the slots.
    const { hOf, atOf } = d['slotIndex'](cfg.window);
    const slots = Int32Array.from({ length: cfg.window }, (_, s) => s);
    const column = new Float64Array(cfg.window);
    for (let q = 0; q < d.dim; q++) {
      d['featureOfRows'](q, slots, 0, cfg.window, column, hOf, atOf);
      for (let s = 0; s < cfg.window; s++) {
        const row = 200 - 1 - ((200 - 1 - s) % cfg.window);
        assert.ok(Object.is(column[s], scored[row]![q]), `feature ${q} of row ${row}: ${column[s]} vs ${scored[row]![q]}`);
      }
    }
  });

  it('derives the whole window at once (a rolling mean with its deviation) exactly as feature by feature', () => {
    const cfg = { trees: 5, window: 64, sampleSize: 32, minRows: 16 };
    const d = new IsolationForestDetector(3, cfg);
    for (let i = 0; i < 100; i++) d.update(T0 + i * STEP, [50 + 10 * Math.sin(i / 7), 2 * i + (i % 3), 1 / (1 + (i % 5))]);
    const { hOf, atOf } = d['slotIndex'](cfg.window);
    const slots = Int32Array.from({ length: cfg.window }, (_, s) => s);
    const columns: Float64Array = d['windowColumns'](cfg.window, slots, hOf, atOf).slice(0, cfg.window * d.dim);
    const column = new Float64Array(cfg.window);
    for (let q = 0; q < d.dim; q++) {
      d['featureOfRows'](q, slots, 0, cfg.window, column, hOf, atOf);
      assert.deepEqual(columns.subarray(q * cfg.window, (q + 1) * cfg.window), column, `feature ${q}`);
    }
  });

  it('grows the same trees whatever the training kernel: scores pinned from the first, plainly written one', () => {
    // The figures were measured with the recursive builder that partitioned rows with a
    // branch and derived every feature on its own; faster kernels must keep every bit.
    // A window of 512 trains from whole-window columns, one of 2,048 derives per node.
    for (const [window, expected] of [
      [512, 394.55635390433207],
      [2048, 392.7695391738291],
    ] as const) {
      const d = new IsolationForestDetector(16, { seed: 7, window, retrainEvery: 32 });
      const row = new Float64Array(16);
      let sum = 0;
      for (let r = 0; r < 700; r++) {
        for (let m = 0; m < 16; m++) row[m] = 50 + 10 * Math.sin(r / 50 + m) + 3 * Math.sin(r * r * 0.37 + m * 1.3);
        const res = d.update(1.7e12 + r * 15_000, row);
        if (!Number.isNaN(res.raw)) sum += res.raw;
      }
      // Not bit for bit: Math.sin and ** may differ in the last bit between Node versions;
      // one tree grown differently moves the sum by far more.
      assert.ok(Math.abs(sum - expected) < 1e-9, `window ${window}: ${sum} vs ${expected}`);
    }
  });

  it('retrains every retrainEvery rows, the first time `phase` rows early (forests started together do not retrain in the same round)', () => {
    const sinceTrain = (d: IsolationForestDetector) => d.snapshot().sinceTrain;
    const cfg = { minRows: 64, retrainEvery: 256, window: 512 };
    const plain = new IsolationForestDetector(2, cfg);
    const early = new IsolationForestDetector(2, { ...cfg, phase: 100 });
    // First training at 64 rows for both; early's next comes after 156 rows, plain's after 256.
    feedSines(plain, 2, 64 + 156);
    feedSines(early, 2, 64 + 156);
    assert.equal(sinceTrain(early), 0);
    assert.equal(sinceTrain(plain), 156);
    // From then on, every 256 rows each: 100 rows apart.
    const more = (d: IsolationForestDetector, n: number) => {
      for (let i = 0; i < n; i++) d.update(T0 + (220 + i) * STEP, Float64Array.of(50, 51));
    };
    more(plain, 100);
    more(early, 100);
    assert.equal(sinceTrain(plain), 0);
    assert.equal(sinceTrain(early), 100);
  });

  it('kept in parts, regrows one part a retraining, the oldest, once the window is full', () => {
    const cfg = { trees: 10, sampleSize: 32, window: 64, minRows: 32, retrainEvery: 16, parts: 2 };
    const d = new IsolationForestDetector(2, cfg);
    const partsNow = () => d.snapshot().parts!.map((p) => p.nodes);
    // While the window fills, every training grows both parts (5 trees each).
    feedSines(d, 2, 64);
    const full = d.snapshot();
    assert.equal(full.parts!.length, 2);
    assert.deepEqual(full.parts!.map((p) => Buffer.from(p.roots, 'base64').length / 4), [5, 5]);
    assert.equal(full.nextPart, 0);
    // Then each training regrows one part, in turn.
    const before = partsNow();
    const more = (n: number, from: number) => {
      for (let i = 0; i < n; i++) d.update(T0 + (from + i) * STEP, Float64Array.of(50 + Math.sin(i), 51 + Math.cos(i)));
    };
    more(16, 64);
    const once = partsNow();
    assert.notEqual(once[0], before[0]);
    assert.equal(once[1], before[1]);
    assert.equal(d.snapshot().nextPart, 1);
    more(16, 80);
    const twice = partsNow();
    assert.equal(twice[0], once[0]);
    assert.notEqual(twice[1], once[1]);
    assert.equal(d.snapshot().nextPart, 0);
  });

  it('in parts, restores from its snapshot exactly; a forest saved whole regrows in today\'s parts at its next training', () => {
    const { cpu, lat } = correlated(900, 800);
    const cfg = { trees: 30, window: 256, retrainEvery: 64, parts: 3 };
    const straight = new IsolationForestDetector(2, cfg);
    const expected = Array.from(cpu, (c, i) => straight.update(T0 + i * STEP, [c, lat[i]!]));
    const a = new IsolationForestDetector(2, cfg);
    for (let i = 0; i < 500; i++) a.update(T0 + i * STEP, [cpu[i]!, lat[i]!]);
    const b = IsolationForestDetector.restore(JSON.parse(JSON.stringify(a.snapshot())));
    for (let i = 500; i < 900; i++) assert.equal(b.update(T0 + i * STEP, [cpu[i]!, lat[i]!]).raw, expected[i]!.raw);
    assert.ok(expected[800]!.score > 0.95, `the broken relation scores ${expected[800]!.score}`);
    // Saved whole (parts 1), restored with parts 3: whole until its next training, then three parts.
    const w = new IsolationForestDetector(2, { ...cfg, parts: 1 });
    for (let i = 0; i < 500; i++) w.update(T0 + i * STEP, [cpu[i]!, lat[i]!]);
    const snap = w.snapshot();
    const c = IsolationForestDetector.restore({ ...snap, config: { ...snap.config, parts: 3 } });
    assert.equal(c.snapshot().parts!.length, 1);
    for (let i = 500; i < 500 + 64; i++) c.update(T0 + i * STEP, [cpu[i]!, lat[i]!]);
    assert.deepEqual(c.snapshot().parts!.map((p) => Buffer.from(p.roots, 'base64').length / 4), [10, 10, 10]);
  });

  it('refuses parts that are not a whole number from 1 to the trees', () => {
    assert.throws(() => new IsolationForestDetector(2, { trees: 10, parts: 11 }), /parts must be a whole number from 1 to the trees \(10\), not 11/);
    assert.throws(() => new IsolationForestDetector(2, { parts: 0 }), /not 0/);
  });

  it('restores a version 1 snapshot (nodes of 7 slots) and scores on exactly as one that never stopped', () => {
    // Saved by the version 1 code after the first 200 rows of this series, with this configuration.
    const v1 = JSON.parse(readFileSync(fileURLToPath(new URL('../../../test/detect/fixtures/iforest-v1.json', import.meta.url)), 'utf8'));
    assert.equal(v1.version, 1);
    const cfg = { trees: 5, sampleSize: 32, window: 64, retrainEvery: 32, calibration: 64, minRows: 32 };
    const value = (i: number) => 50 + 10 * Math.sin(i / 20) + ((i * 7919) % 13) / 13 + (i === 300 ? 40 : 0);
    const whole = new IsolationForestDetector(1, cfg);
    const expected = Array.from({ length: 400 }, (_, i) => whole.update(T0 + i * STEP, [value(i)]));
    const restored = IsolationForestDetector.restore(v1);
    for (let i = 200; i < 400; i++) {
      const r = restored.update(T0 + i * STEP, [value(i)]);
      assert.equal(r.raw, expected[i]!.raw);
      assert.equal(r.score, expected[i]!.score);
    }
    assert.ok(expected[300]!.score > 0.9, `the spike scores ${expected[300]!.score}`);
    assert.equal(restored.snapshot().version, 5);
  });
});

describe('scoreTable (offline CSV scoring)', () => {
  const g = gaussian(9);
  const stamp = (i: number) => new Date(T0 + i * STEP).toISOString().slice(0, 19).replace('T', ' ');

  it('scores a univariate CSV', () => {
    const lines = ['timestamp,value'];
    for (let i = 0; i < 1000; i++) lines.push(`${stamp(i)},${i === 800 ? 99 : (50 + g()).toFixed(3)}`);
    const csv = parseCsv(lines.join('\n') + '\n');
    const r = scoreTable(csv);
    assert.equal(r.mode, 'univariate');
    assert.equal(r.timeColumn, 'timestamp');
    assert.deepEqual(r.valueColumns, ['value']);
    assert.equal(r.timestamps[1]! - r.timestamps[0]!, STEP);
    assert.equal(r.anomalies[800], 1);
    assert.equal(r.explanations[800]!.direction, 'above');
    assert.equal(r.explanations[800]!.column, 'value');
    const out = tableScoreToCsv(csv, r).trim().split('\n');
    assert.equal(out.length, 1001);
    assert.equal(out[0], 'timestamp,value,anomaly_score,anomaly,expected,lower,upper,component,direction,column');
  });

  it('scores a multivariate CSV with the forest and per-column ensembles', () => {
    const { cpu, lat } = correlated(1400, 1200);
    const lines = ['time,cpu,latency,host'];
    for (let i = 0; i < cpu.length; i++) lines.push(`${(T0 + i * STEP) / 1000},${cpu[i]!.toFixed(3)},${lat[i]!.toFixed(3)},h1`);
    const r = scoreTable(parseCsv(lines.join('\r\n')));
    assert.equal(r.mode, 'multivariate');
    assert.deepEqual(r.valueColumns, ['cpu', 'latency']);
    assert.equal(r.timestamps[0], T0);
    assert.equal(r.anomalies[1200], 1);
    assert.equal(r.explanations[1200]!.component, 'iforest');
    assert.equal(r.scores.length, 1400);
  });

  it('numbers rows when there is no time column, and rejects tables without numbers', () => {
    const r = scoreTable(parseCsv('value\n1\n2\n3\n'));
    assert.equal(r.timeColumn, null);
    assert.deepEqual(Array.from(r.timestamps), [0, 60_000, 120_000]);
    assert.throws(() => scoreTable(parseCsv('name\na\nb\n')), /no numeric value column/);
  });
});
