import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinearTrendForecaster, RuleEvaluator, loadRules, type ForecastProvider } from '../../../src/alerting/rules/index.js';
import { STALE_NAN } from '../../../src/core/sample.js';
import { MIN, SEC, T0, fill, rules, states, tempStore, write } from './helpers.js';

test('anomaly: the selector names the original series; fires after 3 consecutive scores at or above 0.5', (t) => {
  const store = tempStore(t);
  // What the detection stage writes for http_latency{service="api"}: vigil_anomaly_score{..., source_metric="http_latency"}.
  const score = { __name__: 'vigil_anomaly_score', source_metric: 'http_latency', service: 'api', instance: 'a' };
  write(store, score, [[T0, 0.1], [T0 + 15 * SEC, 0.7], [T0 + 30 * SEC, 0.8], [T0 + 45 * SEC, 0.9], [T0 + 60 * SEC, 0.2]]);
  write(store, { ...score, source_metric: 'cpu' }, fill(T0, T0 + MIN, 15 * SEC, () => 0.99)); // another metric: not selected
  const ev = new RuleEvaluator({
    store,
    rules: rules(`
rules:
  - name: LatencyAnomaly
    type: anomaly
    severity: medium
    selector: 'http_latency{service="api"}'
    level: 0.5
    consecutive: 3
`),
  });
  assert.deepEqual(states(ev.evaluate(T0 + 30 * SEC)), []); // two high scores so far
  const fired = ev.evaluate(T0 + 45 * SEC);
  assert.deepEqual(states(fired), ['firing']);
  assert.deepEqual(fired[0]!.labels, { source_metric: 'http_latency', service: 'api', instance: 'a', alertname: 'LatencyAnomaly', severity: 'medium' });
  assert.equal(fired[0]!.value, 0.9);
  assert.deepEqual(states(ev.evaluate(T0 + 60 * SEC)), ['resolved']);
});

test('anomaly: a label-only selector looks at every metric of the service', (t) => {
  const store = tempStore(t);
  write(store, { __name__: 'vigil_anomaly_score', source_metric: 'cpu', service: 'api' }, [[T0, 0.9]]);
  write(store, { __name__: 'vigil_anomaly_score', source_metric: 'mem', service: 'web' }, [[T0, 0.9]]);
  const ev = new RuleEvaluator({ store, rules: rules(`rules: [{ name: ApiAnomaly, type: anomaly, severity: low, selector: '{service="api"}' }]`) });
  assert.deepEqual(states(ev.evaluate(T0), 'source_metric'), ['firing cpu']);
});

test('absence: fires for a series that stopped, and for the selector as a whole once nothing reports', (t) => {
  const store = tempStore(t);
  write(store, { __name__: 'heartbeat', job: 'etl', instance: 'a' }, fill(T0, T0 + 20 * MIN, MIN, () => 1));
  write(store, { __name__: 'heartbeat', job: 'etl', instance: 'b' }, fill(T0, T0 + 5 * MIN, MIN, () => 1)); // stops at +5m
  const ev = new RuleEvaluator({
    store,
    rules: rules(`
rules:
  - name: HeartbeatMissing
    type: absence
    severity: high
    selector: 'heartbeat{job="etl"}'
    absentFor: 10m
    annotations:
      description: 'no heartbeat from {{ $labels.instance }} for {{ humanizeDuration $value }}'
`),
  });
  assert.deepEqual(states(ev.evaluate(T0 + 10 * MIN)), []); // b last seen 5 min ago
  const fired = ev.evaluate(T0 + 16 * MIN);
  assert.deepEqual(states(fired, 'instance'), ['firing b']);
  assert.equal(fired[0]!.annotations.description, 'no heartbeat from b for 11m');
  // At +31m instance a has been silent for 11 minutes too, and nothing of the selector reports any more.
  const all = ev.evaluate(T0 + 31 * MIN);
  assert.deepEqual(states(all, 'instance').sort(), ['firing ', 'firing a']);
  const whole = all.find((e) => e.labels.instance === undefined)!;
  assert.deepEqual(whole.labels, { job: 'etl', alertname: 'HeartbeatMissing', severity: 'high' });
});

test('absence: a stale marker counts as no sample; a selector never seen is absent as a whole', (t) => {
  const store = tempStore(t);
  write(store, { __name__: 'up', job: 'db' }, [[T0, 1], [T0 + MIN, STALE_NAN]]);
  const ev = new RuleEvaluator({
    store,
    rules: rules(`
rules:
  - { name: DbDown, type: absence, severity: critical, selector: 'up{job="db"}', absentFor: 5m }
  - { name: NeverSeen, type: absence, severity: low, selector: 'batch_last_success{job="nightly"}', absentFor: 1h }
`),
  });
  const events = ev.evaluate(T0 + 6 * MIN);
  assert.deepEqual(events.map((e) => `${e.rule} ${e.state}`).sort(), ['DbDown firing', 'NeverSeen firing']);
  assert.equal(events.find((e) => e.rule === 'NeverSeen')!.value, Infinity);
});

test('rate of change: deriv per second over a window, and a counter increase per window', (t) => {
  const store = tempStore(t);
  // Queue grows 2 per second on "orders", flat on "billing".
  write(store, { __name__: 'queue_depth', queue: 'orders' }, fill(T0, T0 + 10 * MIN, 15 * SEC, (x) => 100 + ((x - T0) / 1000) * 2));
  write(store, { __name__: 'queue_depth', queue: 'billing' }, fill(T0, T0 + 10 * MIN, 15 * SEC, () => 40));
  // A counter of errors: +10 per minute, reset at +7m.
  write(store, { __name__: 'errors_total', job: 'api' }, fill(T0, T0 + 10 * MIN, MIN, (x) => (x < T0 + 7 * MIN ? ((x - T0) / MIN) * 10 : ((x - T0 - 7 * MIN) / MIN) * 10 + 5)));
  const ev = new RuleEvaluator({
    store,
    rules: rules(`
rules:
  - { name: QueueGrowing, type: rate_of_change, severity: medium, selector: queue_depth, window: 5m, function: deriv, op: '>', value: 1 }
  - { name: ErrorBurst, type: rate_of_change, severity: high, selector: errors_total, window: 5m, function: increase, op: '>=', value: 30 }
`),
  });
  const events = ev.evaluate(T0 + 10 * MIN);
  const growing = events.find((e) => e.rule === 'QueueGrowing')!;
  assert.equal(growing.labels.queue, 'orders');
  assert.ok(Math.abs(growing.value! - 2) < 1e-9);
  assert.equal(events.filter((e) => e.rule === 'QueueGrowing').length, 1);
  // Window (5m, 10m]: 60 -> 5 (a reset: counts 5) -> 15 -> 25 -> 35, an increase of 5 + 10 + 10 + 10 = 35.
  const burst = events.find((e) => e.rule === 'ErrorBurst')!;
  assert.equal(burst.value, 35);
});

test('forecast: the default linear provider sees a disk filling 1%/h reach 90% within the 24h horizon', (t) => {
  const store = tempStore(t);
  const HOUR = 60 * MIN;
  // 70% at T0, +1% per hour; at T0+6h it is 76%: 90% is 14 h away.
  write(store, { __name__: 'disk_used_ratio', device: 'sda' }, fill(T0, T0 + 6 * HOUR, 5 * MIN, (x) => 0.7 + (x - T0) / HOUR / 100));
  write(store, { __name__: 'disk_used_ratio', device: 'sdb' }, fill(T0, T0 + 6 * HOUR, 5 * MIN, () => 0.5));
  const yaml = (horizon: string) => `
rules:
  - name: DiskFillingUp
    type: forecast
    severity: high
    selector: disk_used_ratio
    window: 6h
    horizon: ${horizon}
    limit: 0.9
    annotations:
      title: '{{ $labels.device }} full in {{ humanizeDuration $value }}'
`;
  const fired = new RuleEvaluator({ store, rules: rules(yaml('24h')) }).evaluate(T0 + 6 * HOUR);
  assert.deepEqual(states(fired, 'device'), ['firing sda']);
  assert.ok(Math.abs(fired[0]!.value! - 14 * 3600) < 1, `value ${fired[0]!.value}`);
  assert.equal(fired[0]!.annotations.title, 'sda full in 14h');
  assert.deepEqual(new RuleEvaluator({ store, rules: rules(yaml('12h')) }).evaluate(T0 + 6 * HOUR), []);
});

test('forecast: the provider is injectable (the forecasting stage will plug in here)', (t) => {
  const store = tempStore(t);
  write(store, { __name__: 'mem_free', host: 'x' }, [[T0, 1]]);
  const asked: string[] = [];
  const provider: ForecastProvider = {
    timeToCross(id, limit, horizonMs) {
      asked.push(`${id} ${limit} ${horizonMs}`);
      return { at: T0 + 30 * MIN, value: 0, upper: 1 };
    },
  };
  const ev = new RuleEvaluator({
    store,
    forecast: provider,
    rules: rules('rules: [{ name: MemLow, type: forecast, severity: low, selector: mem_free, horizon: 1h, limit: 0.1, direction: below }]'),
  });
  assert.equal(ev.evaluate(T0)[0]!.value, 1800);
  assert.equal(asked.length, 1);
  assert.match(asked[0]!, /^[0-9a-f]{16} 0.1 3600000$/);
  // And the linear provider alone: below-direction crossing.
  const r = new LinearTrendForecaster().timeToCross('s', 10, 3_600_000, { now: 3_000, windowMs: 3_000, direction: 'below', data: { timestamps: [1000, 2000, 3000], values: [13, 12, 11] } });
  assert.equal(r.at, 4_000);
  assert.equal(r.value, 11 - 3600);
});

test('composite: AND / OR / NOT of other rules, matched on service', (t) => {
  const store = tempStore(t);
  const at = T0 + MIN;
  for (const [service, latency, errors, deploying] of [
    ['api', 2, 0.2, 0],
    ['web', 2, 0.0, 0],
    ['db', 2, 0.3, 1],
    ['auth', 0.1, 0.3, 0],
  ] as const) {
    write(store, { __name__: 'latency', service, host: 'h1' }, [[at, latency]]);
    write(store, { __name__: 'error_ratio', service }, [[at, errors]]);
    write(store, { __name__: 'deploy_in_progress', service }, [[at, deploying]]);
  }
  const ev = new RuleEvaluator({
    store,
    rules: rules(`
rules:
  - { name: SlowService, type: threshold, severity: info, selector: latency, op: '>', value: 1 }
  - { name: Erroring, type: threshold, severity: info, selector: error_ratio, op: '>', value: 0.1 }
  - { name: Deploying, type: threshold, severity: info, selector: deploy_in_progress, op: '==', value: 1 }
  - name: ServiceDegraded
    type: composite
    severity: critical
    on: [service]
    when:
      and:
        - SlowService
        - Erroring
        - not: Deploying
  - name: AnyTrouble
    type: composite
    severity: low
    on: [service]
    when: { or: [SlowService, Erroring] }
`),
  });
  const events = ev.evaluate(at);
  const of = (rule: string) => events.filter((e) => e.rule === rule).map((e) => e.labels.service).sort();
  // api is slow and erroring; db too but it is deploying; web is only slow; auth only erroring.
  assert.deepEqual(of('ServiceDegraded'), ['api']);
  assert.deepEqual(of('AnyTrouble'), ['api', 'auth', 'db', 'web']);
  const degraded = events.find((e) => e.rule === 'ServiceDegraded')!;
  assert.deepEqual(degraded.labels, { service: 'api', alertname: 'ServiceDegraded', severity: 'critical' });
});

test('alert: false makes a rule a condition for composites only: it never alerts, and use: firing cannot name it', (t) => {
  const store = tempStore(t);
  // Memory up on both hosts; CPU up with it on b only (load, not a leak).
  for (const [host, cpu] of [['a', 0.1], ['b', 0.9]] as const) {
    write(store, { __name__: 'mem_ratio', instance: host }, [[T0, 1.3]]);
    write(store, { __name__: 'cpu_ratio', instance: host }, [[T0, cpu]]);
  }
  const ev = new RuleEvaluator({
    store,
    rules: rules(`
rules:
  - { name: MemoryUp, type: threshold, severity: medium, alert: false, selector: mem_ratio, op: '>', value: 1.15 }
  - { name: CpuUp, type: threshold, severity: medium, alert: false, selector: cpu_ratio, op: '>', value: 0.5 }
  - { name: Leak, type: composite, severity: medium, on: [instance], when: { and: [MemoryUp, { not: CpuUp }] } }
`),
  });
  assert.deepEqual(states(ev.evaluate(T0), 'instance'), ['firing a']);
  assert.deepEqual(ev.alerts().map((a) => a.labels.alertname), ['Leak']);
  assert.equal(ev.ruleHealth().find((h) => h.rule === 'MemoryUp')!.active, 2, 'evaluated all the same');
  assert.throws(
    () => loadRules({ rules: rules(`rules: [{ name: M, type: threshold, severity: low, alert: false, selector: m, op: '>', value: 1 }, { name: F, type: composite, severity: low, use: firing, when: M }]`) }),
    /rule "M" has alert: false \(it never fires\); use: firing needs rules that alert/,
  );
});

test('composite with use: firing follows the operands\' alerts, `for` included', (t) => {
  const store = tempStore(t);
  write(store, { __name__: 'a', service: 's' }, fill(T0, T0 + 5 * MIN, MIN, () => 1));
  const ev = new RuleEvaluator({
    store,
    rules: rules(`
rules:
  - { name: A, type: threshold, severity: info, selector: a, op: '>', value: 0, for: 2m }
  - { name: AFiring, type: composite, severity: high, use: firing, when: A }
`),
  });
  assert.deepEqual(ev.evaluate(T0).map((e) => `${e.rule} ${e.state}`), ['A pending']);
  assert.deepEqual(ev.evaluate(T0 + 2 * MIN).map((e) => `${e.rule} ${e.state}`), ['A firing', 'AFiring firing']);
});
