import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RuleEvaluator } from '../../../src/alerting/rules/index.js';
import { ratioToBaseline } from '../../../src/alerting/rules/conditions.js';
import { MIN, SEC, T0, fill, rules, states, tempStore, write } from './helpers.js';

test('anomaly with within: a one-sample score pulse between two evaluations fires, and holds for the window', (t) => {
  const store = tempStore(t);
  const score = { __name__: 'vigil_anomaly_score', source_metric: 'cpu', service: 'api', instance: 'a' };
  // Detector scores are pulses: high at the onset of a change, low right after.
  write(store, score, fill(T0, T0 + 10 * MIN, 10 * SEC, (t) => (t === T0 + 2 * MIN + 10 * SEC ? 0.79 : 0.01)));
  const [plain, within] = [
    rules(`rules: [{ name: Plain, type: anomaly, severity: medium, selector: 'cpu', level: 0.7 }]`),
    rules(`rules: [{ name: Pulse, type: anomaly, severity: medium, selector: 'cpu', level: 0.7, within: 5m }]`),
  ].map((r) => new RuleEvaluator({ store, rules: r }));
  const at = (ev: RuleEvaluator, ms: number) => states(ev.evaluate(T0 + ms));
  assert.deepEqual(at(plain, 2 * MIN + 25 * SEC), [], 'the latest score is low again: the plain rule never sees the pulse');
  assert.deepEqual(at(within, 2 * MIN + 25 * SEC), ['firing']);
  assert.equal(within.alerts()[0]!.value, 0.79);
  assert.deepEqual(at(within, 7 * MIN), [], 'still inside the 5m window');
  assert.deepEqual(at(within, 7 * MIN + 15 * SEC), ['resolved']);
});

test('rate of change with function ratio: the window mean over the median of the baseline before it', (t) => {
  assert.equal(ratioToBaseline([1, 2, 3, 4, 5], [1, 100, 1, 2, 2], 3), 2, 'median 1 despite the outlier; mean after is 2');
  assert.equal(ratioToBaseline([1, 2], [0, 0], 1), undefined, 'a zero reference has no ratio');
  assert.equal(ratioToBaseline([1, 2], [1, 1], 5), undefined, 'nothing in the window');

  const store = tempStore(t);
  const base = { __name__: 'http_latency_p95_seconds', service: 'api' };
  // host a: latency triples at +60m; host b: one outlier sample, as real latency series have.
  write(store, { ...base, instance: 'a' }, fill(T0, T0 + 70 * MIN, 10 * SEC, (t) => (t >= T0 + 60 * MIN ? 0.3 : 0.1)));
  write(store, { ...base, instance: 'b' }, fill(T0, T0 + 70 * MIN, 10 * SEC, (t) => (t === T0 + 61 * MIN ? 0.3 : 0.1)));
  const ev = new RuleEvaluator({
    store,
    rules: rules(`
rules:
  - { name: LatencyJump, type: rate_of_change, severity: high, selector: '{__name__=~".+_latency_.*seconds"}', function: ratio, window: 2m, baseline: 1h, op: '>', value: 1.4 }
`),
  });
  const fired = ev.evaluate(T0 + 61 * MIN);
  assert.deepEqual(states(fired, 'instance'), ['firing a']);
  // The 2m window (59m10s..61m] holds 5 samples at 0.1 and 7 at 0.3; the hour before it has a median of 0.1.
  assert.ok(Math.abs(fired[0]!.value! - (0.1 * 5 + 0.3 * 7) / 12 / 0.1) < 1e-9);
  assert.deepEqual(states(ev.evaluate(T0 + 62 * MIN), 'instance'), [], 'the single outlier on b stays under 1.4x');
});

test('baseline is only for function ratio', () => {
  assert.throws(() => rules(`rules: [{ name: X, type: rate_of_change, severity: low, selector: x, window: 1m, function: deriv, baseline: 1h, op: '>', value: 1 }]`), /baseline.*function: ratio/);
});
