import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  SeriesDetector, UnivariateEnsemble, scoreSeries, stateFromBytes, stateToBytes, surprise,
} from '../../src/detect/index.js';
import { IO_SCORE, IO_SIZE, IO_T, IO_X } from '../../src/detect/ensemble-update.js';
import { ExplanationSlot } from '../../src/detect/types.js';
import { PER_DAY, argmax, daily, max, noise, peak, timestamps } from './synthetic.js';

const det = new UnivariateEnsemble();
const FLAG = det.cfg.flagThreshold;

function run(values: Float64Array, ts = timestamps(values.length)) {
  return scoreSeries(ts, values);
}

describe('univariate ensemble', () => {
  it('shares one compiled update between ensembles of one configuration, each series keeping its own state', () => {
    const a = new UnivariateEnsemble();
    const b = new UnivariateEnsemble();
    const other = new UnivariateEnsemble({ fusion: 'sum' });
    assert.equal(a.update, b.update);
    assert.notEqual(a.update, other.update);
    // One series through `a`; the same series through `b`, interleaved with a spiky one
    // through `b` and through the other configuration: the first series scores the same.
    const v = daily(3 * PER_DAY, 10);
    const spiky = noise(3 * PER_DAY);
    for (let i = 0; i < spiky.length; i += 97) spiky[i] = 500;
    const ts = timestamps(v.length);
    const sa = a.createState(), sb = b.createState(), sSpiky = b.createState(), sOther = other.createState();
    for (let i = 0; i < v.length; i++) {
      const alone = a.update(sa, ts[i]!, v[i]!);
      b.update(sSpiky, ts[i]!, spiky[i]!);
      other.update(sOther, ts[i]!, spiky[i]!);
      assert.equal(b.update(sb, ts[i]!, v[i]!), alone, `sample ${i}`);
    }
    assert.deepEqual(sb, sa);
  });

  it('step (numbers through a typed array, for per-sample loops) scores and learns exactly as update', () => {
    const v = daily(3 * PER_DAY, 10);
    for (let i = 0; i < v.length; i += 211) v[i] = 400;
    v[1000] = NaN;
    const ts = timestamps(v.length);
    const viaUpdate = det.createState(), viaStep = det.createState();
    const outU = new ExplanationSlot(), outS = new ExplanationSlot();
    const io = new Float64Array(IO_SIZE);
    for (let i = 0; i < v.length; i++) {
      const score = det.update(viaUpdate, ts[i]!, v[i]!, outU);
      io[IO_T] = ts[i]!;
      io[IO_X] = v[i]!;
      det.step(viaStep, io, outS);
      assert.equal(io[IO_SCORE], score, `sample ${i}`);
      assert.deepEqual(outS, outU, `explanation of sample ${i}`);
    }
    assert.deepEqual(viaStep, viaUpdate);
  });

  it('scores in [0,1], state under 2 KB', () => {
    const r = run(noise(2000));
    for (const s of r.scores) assert.ok(s >= 0 && s <= 1);
    assert.ok(det.createState().byteLength < 2048, `${det.createState().byteLength} bytes`);
  });

  it('flags a spike, and only the spike, with an explanation', () => {
    const v = noise(3000);
    v[2000] = 80; // 15 sigma
    const r = run(v);
    assert.equal(argmax(r.scores, 500), 2000);
    assert.ok(r.scores[2000]! >= FLAG);
    const e = r.explanations[2000]!;
    assert.equal(e.direction, 'above');
    assert.notEqual(e.component, 'none');
    assert.ok(Math.abs(e.expected - 50) < 2, `expected ${e.expected}`);
    assert.ok(e.lower < 50 && e.upper > 50 && e.upper < 80);
    // Quiet elsewhere after the first day.
    for (let i = 500; i < 3000; i++) if (i !== 2000) assert.ok(r.scores[i]! < FLAG, `score ${r.scores[i]} at ${i}`);
  });

  it('flags a level shift early, then re-baselines', () => {
    const v = noise(4000);
    for (let i = 2000; i < 4000; i++) v[i]! += 20;
    const r = run(v);
    const first = r.scores.findIndex((s, i) => i >= 500 && s >= FLAG);
    assert.ok(first >= 2000 && first < 2010, `first detection at ${first}`);
    assert.equal(r.explanations[first]!.direction, 'above');
    assert.ok(max(r.scores, 2400) < FLAG, 'quiet once the new level is learnt');
    assert.ok(Math.abs(r.explanations[3999]!.expected - 70) < 3, `re-baselined to ${r.explanations[3999]!.expected}`);
  });

  it('keeps a seasonal series with no anomaly quiet', () => {
    const v = daily(PER_DAY * 14);
    const r = run(v);
    assert.ok(max(r.scores, PER_DAY * 2) < FLAG, `max ${max(r.scores, PER_DAY * 2)}`);
    // The daily peak is expected, not flagged: the band at noon covers the peak.
    const noon = PER_DAY * 10 + PER_DAY / 2;
    const e = r.explanations[noon]!;
    assert.ok(e.lower < v[noon]! && v[noon]! < e.upper, `band ${e.lower}..${e.upper} vs ${v[noon]}`);
  });

  it('flags a missing daily peak (seasonal, below)', () => {
    const v = daily(PER_DAY * 14);
    const day = 10;
    for (let i = PER_DAY * day; i < PER_DAY * (day + 1); i++) v[i]! -= peak(i);
    const r = run(v);
    const from = PER_DAY * day + (PER_DAY * 8) / 24;
    const to = PER_DAY * day + (PER_DAY * 18) / 24;
    const hit = r.scores.findIndex((s, i) => i >= from && i < to && s >= FLAG);
    assert.ok(hit >= 0, 'missing peak detected');
    assert.ok(hit < from + 24, `detected within 2 hours of the peak's start (at ${hit - from} samples)`);
    assert.equal(r.explanations[hit]!.component, 'seasonal');
    assert.equal(r.explanations[hit]!.direction, 'below');
    assert.ok(max(r.scores, PER_DAY * 2, PER_DAY * day) < FLAG, 'quiet before');
  });

  it('flags a slow leak before it doubles the level', () => {
    const v = noise(6000, 50, 1);
    for (let i = 3000; i < 6000; i++) v[i]! += (i - 3000) * 0.02; // +60 over 3000 samples
    const r = run(v);
    const first = r.scores.findIndex((s, i) => i >= 500 && s >= FLAG);
    assert.ok(first >= 3000, `no false alarm before the leak (first at ${first})`);
    assert.ok(first < 3000 + 50 / 0.02, `detected at ${first}`);
    assert.equal(r.explanations[first]!.direction, 'above');
  });

  it('scores a new series from its first samples (cold start)', () => {
    const v = noise(200);
    v[40] = 90;
    const r = run(v);
    assert.equal(argmax(r.scores, 10), 40);
    assert.ok(r.scores[40]! >= FLAG);
  });

  it('ignores non-finite values', () => {
    const v = noise(600);
    v[300] = NaN;
    v[301] = Infinity;
    const r = run(v);
    assert.equal(r.scores[300], 0);
    assert.equal(r.scores[301], 0);
    assert.ok(max(r.scores, 200) < FLAG);
  });

  it('save/restore gives identical scores (JSON and bytes)', () => {
    const v = daily(PER_DAY * 6, 7);
    v[PER_DAY * 5] = 200;
    const ts = timestamps(v.length);
    const whole = new SeriesDetector();
    const expected = Array.from(v, (x, i) => whole.update(ts[i]!, x));
    const half = PER_DAY * 3 + 17;
    const a = new SeriesDetector();
    for (let i = 0; i < half; i++) a.update(ts[i]!, v[i]!);
    const json = JSON.parse(JSON.stringify(a.snapshot()));
    const b = SeriesDetector.restore(json);
    const c = new SeriesDetector(det, stateFromBytes(stateToBytes(a.state), det));
    for (let i = half; i < v.length; i++) {
      assert.equal(b.update(ts[i]!, v[i]!), expected[i]);
      assert.equal(c.update(ts[i]!, v[i]!), expected[i]);
    }
  });

  it('restores a state saved by the first layout (version 1) and scores on exactly as one that never stopped', () => {
    // Saved by the version 1 code (seasonal phases planar) after PER_DAY * 3 + 17 samples of this series.
    const v1 = JSON.parse(readFileSync(fileURLToPath(new URL('../../../test/detect/fixtures/ensemble-state-v1.json', import.meta.url)), 'utf8'));
    const v = daily(PER_DAY * 6, 7);
    v[PER_DAY * 5] = 200;
    const ts = timestamps(v.length);
    const whole = new SeriesDetector();
    const expected = Array.from(v, (x, i) => whole.update(ts[i]!, x));
    const restored = SeriesDetector.restore(v1);
    assert.equal(restored.state[0], 2, 'upgraded to the current version');
    for (let i = PER_DAY * 3 + 17; i < v.length; i++) assert.equal(restored.update(ts[i]!, v[i]!), expected[i]);
    const future = new SeriesDetector().state;
    future[0] = 99;
    assert.throws(() => stateFromBytes(stateToBytes(future), det), /unsupported state snapshot version 99/);
  });

  it('refuses a snapshot of another layout', () => {
    const other = new UnivariateEnsemble({ context: { bits: 1024 } });
    assert.throws(() => SeriesDetector.restore(new SeriesDetector(other).snapshot()), /slots/);
  });

  it('surprise is -log10 of the two-sided Gaussian tail', () => {
    assert.ok(Math.abs(surprise(1.959964) - -Math.log10(0.05)) < 1e-4);
    assert.ok(Math.abs(surprise(0)) < 1e-6);
    assert.ok(surprise(9) > surprise(7.99));
  });
});
