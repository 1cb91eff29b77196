import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RuleEvaluator } from '../../../src/alerting/rules/index.js';
import { STALE_NAN } from '../../../src/core/sample.js';
import { MIN, SEC, T0, fill, rules, states, tempStore, write } from './helpers.js';

test('threshold with for: pending, then firing once it has held for 2m, then resolved', (t) => {
  const store = tempStore(t);
  // CPU at 50%, above 90% from T0+1m to T0+5m, then back to 50%.
  write(store, { __name__: 'cpu', host: 'a' }, fill(T0, T0 + 10 * MIN, 15 * SEC, (x) => (x >= T0 + MIN && x < T0 + 5 * MIN ? 95 : 50)));
  const ev = new RuleEvaluator({
    store,
    rules: rules(`
rules:
  - name: HighCpu
    type: threshold
    severity: high
    selector: cpu
    op: '>'
    value: 90
    for: 2m
`),
  });
  assert.deepEqual(states(ev.evaluate(T0 + 30 * SEC)), []);
  assert.deepEqual(states(ev.evaluate(T0 + MIN)), ['pending']);
  assert.deepEqual(states(ev.evaluate(T0 + 2 * MIN)), []);
  const firing = ev.evaluate(T0 + 3 * MIN);
  assert.deepEqual(states(firing), ['firing']);
  assert.equal(firing[0]!.startsAt, T0 + 3 * MIN);
  assert.equal(firing[0]!.activeAt, T0 + MIN);
  assert.deepEqual(firing[0]!.labels, { host: 'a', alertname: 'HighCpu', severity: 'high' });
  assert.equal(firing[0]!.value, 95);
  assert.deepEqual(states(ev.evaluate(T0 + 4 * MIN)), []);
  const resolved = ev.evaluate(T0 + 6 * MIN);
  assert.deepEqual(states(resolved), ['resolved']);
  assert.equal(resolved[0]!.endsAt, T0 + 6 * MIN);
  assert.equal(ev.alerts()[0]!.state, 'resolved');
});

test('a pending alert whose condition clears before `for` goes inactive without firing', (t) => {
  const store = tempStore(t);
  write(store, { __name__: 'cpu', host: 'a' }, fill(T0, T0 + 5 * MIN, 15 * SEC, (x) => (x >= T0 + MIN && x < T0 + 2 * MIN ? 95 : 50)));
  const ev = new RuleEvaluator({ store, rules: rules('rules: [{ name: HighCpu, type: threshold, severity: high, selector: cpu, op: ">", value: 90, for: 5m }]') });
  const seen = [T0 + MIN, T0 + 90 * SEC, T0 + 3 * MIN].flatMap((x) => states(ev.evaluate(x)));
  assert.deepEqual(seen, ['pending', 'inactive']);
  assert.deepEqual(ev.alerts(), []);
});

test('avg by service: one alert per service whose hosts average above the value', (t) => {
  const store = tempStore(t);
  const at = T0 + 10 * MIN;
  write(store, { __name__: 'latency', service: 'api', host: 'a' }, [[at, 0.9]]);
  write(store, { __name__: 'latency', service: 'api', host: 'b' }, [[at, 0.5]]); // api avg 0.7
  write(store, { __name__: 'latency', service: 'web', host: 'c' }, [[at, 0.2]]);
  write(store, { __name__: 'latency', service: 'web', host: 'd' }, [[at, 0.9]]); // web avg 0.55
  const ev = new RuleEvaluator({
    store,
    rules: rules('rules: [{ name: SlowService, type: threshold, severity: medium, selector: latency, aggregate: avg, by: [service], op: ">", value: 0.6 }]'),
  });
  const events = ev.evaluate(at);
  assert.deepEqual(states(events, 'service'), ['firing api']);
  assert.ok(Math.abs(events[0]!.value! - 0.7) < 1e-12);
  assert.deepEqual(events[0]!.labels, { service: 'api', alertname: 'SlowService', severity: 'medium' });
});

test('avg over 5m: a single spike does not fire, a sustained rise does', (t) => {
  const store = tempStore(t);
  // host a: one spike to 100 among 10s; host b: 60 for the whole window.
  write(store, { __name__: 'errors', host: 'a' }, fill(T0, T0 + 5 * MIN, MIN, (x) => (x === T0 + 3 * MIN ? 100 : 10)));
  write(store, { __name__: 'errors', host: 'b' }, fill(T0, T0 + 5 * MIN, MIN, () => 60));
  // host a: the window (T0, T0+5m] holds 10, 10, 100, 10, 10: average 28, maximum 100.
  const ev2 = new RuleEvaluator({ store, rules: rules('rules: [{ name: Errors, type: threshold, severity: low, selector: errors, over: 5m, overFunction: avg, op: ">=", value: 30 }]') });
  assert.deepEqual(states(ev2.evaluate(T0 + 5 * MIN), 'host'), ['firing b']);
  const ev3 = new RuleEvaluator({ store, rules: rules('rules: [{ name: Errors, type: threshold, severity: low, selector: errors, over: 5m, overFunction: max, op: ">=", value: 100 }]') });
  assert.deepEqual(states(ev3.evaluate(T0 + 5 * MIN), 'host'), ['firing a']);
});

test('the latest sample within the 5m lookback; a stale marker ends the series', (t) => {
  const store = tempStore(t);
  write(store, { __name__: 'queue', q: 'old' }, [[T0, 500]]);
  write(store, { __name__: 'queue', q: 'gone' }, [[T0 + 8 * MIN, 500], [T0 + 9 * MIN, STALE_NAN]]);
  write(store, { __name__: 'queue', q: 'live' }, [[T0 + 9 * MIN, 500]]);
  const ev = new RuleEvaluator({ store, rules: rules('rules: [{ name: Deep, type: threshold, severity: info, selector: queue, op: ">", value: 100 }]') });
  // "old" is past the lookback, "gone" ended with a stale marker: only "live" has a value at T0+10m.
  assert.deepEqual(states(ev.evaluate(T0 + 10 * MIN), 'q'), ['firing live']);
});
