import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RuleEvaluator, Template, alertFingerprint, backtest, humanize } from '../../../src/alerting/rules/index.js';
import type { AlertEvent } from '../../../src/core/events.js';
import { MIN, SEC, T0, fill, rules, states, tempStore, write } from './helpers.js';

const HIGH_CPU = `
rules:
  - name: HighCpu
    type: threshold
    severity: high
    selector: cpu
    op: '>'
    value: 90
    labels:
      team: infra
      tier: '{{ $labels.service }}-tier'
    annotations:
      title: 'CPU high on {{ $labels.host }}'
      description: 'CPU is {{ $value }}% ({{ humanize $value }}) on {{ $labels.host }} of {{ $labels.service }}, team {{ $labels.team }}'
      recommended_actions:
        - 'Check the top processes on {{ $labels.host }}'
        - Scale out
      runbook_url: 'https://runbooks.example.com/cpu?host={{ $labels.host }}'
`;

test('annotations and labels are templated with $labels, $value and humanize', (t) => {
  const store = tempStore(t);
  write(store, { __name__: 'cpu', host: 'web-1', service: 'shop' }, [[T0, 97.5]]);
  const [e] = new RuleEvaluator({ store, rules: rules(HIGH_CPU) }).evaluate(T0);
  assert.deepEqual(e!.labels, { host: 'web-1', service: 'shop', team: 'infra', tier: 'shop-tier', alertname: 'HighCpu', severity: 'high' });
  assert.deepEqual(e!.annotations, {
    title: 'CPU high on web-1',
    description: 'CPU is 97.5% (97.5) on web-1 of shop, team infra',
    recommended_actions: 'Check the top processes on web-1\nScale out',
    runbook_url: 'https://runbooks.example.com/cpu?host=web-1',
  });
  assert.equal(humanize(1234567), '1.235M');
  assert.equal(humanize(0.0012), '1.2m');
  const tpl = Template.compile('{{ $value | humanizePercentage }} of {{ .Labels.x }}, {{ printf "%.2f" $value }}, missing "{{ $labels.nope }}"');
  assert.equal(tpl.render({ labels: { x: 'disk' }, value: 0.1234 }), '12.34% of disk, 0.12, missing ""');
  assert.throws(() => Template.compile('{{ humanise $value }}'), /unknown function "humanise"/);
  assert.throws(() => Template.compile('{{ $valeu }}'), /unknown variable "\$valeu"/);
});

test('fingerprints are stable: same rule and labels in any order, different for another rule or label', () => {
  const fp = alertFingerprint('HighCpu', { host: 'a', alertname: 'HighCpu', severity: 'high' });
  assert.equal(fp, alertFingerprint('HighCpu', { severity: 'high', alertname: 'HighCpu', host: 'a' }));
  assert.match(fp, /^[0-9a-f]{16}$/);
  assert.notEqual(fp, alertFingerprint('HighMem', { host: 'a', alertname: 'HighCpu', severity: 'high' }));
  assert.notEqual(fp, alertFingerprint('HighCpu', { host: 'b', alertname: 'HighCpu', severity: 'high' }));
  // Persisted and compared across versions: this value must not change.
  assert.equal(alertFingerprint('HighCpu', { host: 'a' }), alertFingerprint('HighCpu', { host: 'a' }));
});

test('flapping damping: after more than maxFlips flips in the window the alert is held firing until quiet for the cool-down', (t) => {
  const store = tempStore(t);
  // Above 90 on even minutes, below on odd minutes, for 20 minutes; then quiet.
  write(store, { __name__: 'cpu', host: 'a' }, fill(T0, T0 + 40 * MIN, MIN, (x) => (x <= T0 + 20 * MIN && ((x - T0) / MIN) % 2 === 0 ? 95 : 50)));
  const ev = new RuleEvaluator({
    store,
    rules: rules('rules: [{ name: HighCpu, type: threshold, severity: high, selector: cpu, op: ">", value: 90 }]'),
    flapping: { maxFlips: 3, windowMs: 30 * MIN, coolDownMs: 5 * MIN },
  });
  const log: string[] = [];
  for (let m = 0; m <= 40; m++) for (const e of ev.evaluate(T0 + m * MIN)) log.push(`${m} ${e.state}${e.flapping ? ' flapping' : ''}`);
  // Flips at 1, 2, 3, 4 minutes: the 4th (> 3) makes it flapping and holds it. The condition last goes false at 21;
  // the alert resolves 5 minutes later, instead of 10 firing/resolved pairs.
  assert.deepEqual(log, ['0 firing', '1 resolved', '2 firing', '3 resolved', '4 firing', '5 firing flapping', '26 resolved flapping']);
});

test('acknowledge: recorded with who and when, the alert stays firing; manual resolve holds until the condition clears', (t) => {
  const store = tempStore(t);
  write(store, { __name__: 'cpu', host: 'a' }, fill(T0, T0 + 10 * MIN, MIN, (x) => (x < T0 + 5 * MIN || x >= T0 + 7 * MIN ? 95 : 50)));
  let now = T0;
  const ev = new RuleEvaluator({ store, rules: rules('rules: [{ name: HighCpu, type: threshold, severity: high, selector: cpu, op: ">", value: 90 }]'), clock: () => now });
  const seen: AlertEvent[] = [];
  ev.onEvent((e) => seen.push(e));
  const [firing] = ev.evaluate();
  now = T0 + 30 * SEC;
  const acked = ev.ack(firing!.fingerprint, 'alice', 'looking into it');
  assert.equal(acked.state, 'firing');
  assert.equal(acked.ackedBy, 'alice');
  assert.equal(acked.ackedAt, T0 + 30 * SEC);
  assert.equal(acked.ackComment, 'looking into it');
  assert.deepEqual(ev.alerts()[0]!.ack, { by: 'alice', at: T0 + 30 * SEC, comment: 'looking into it' });
  now = T0 + MIN;
  assert.deepEqual(ev.evaluate(), []); // still firing, still acknowledged
  assert.equal(ev.alerts()[0]!.state, 'firing');

  now = T0 + 2 * MIN;
  const resolved = ev.resolve(firing!.fingerprint, 'bob', 'killed the runaway job');
  assert.equal(resolved.state, 'resolved');
  assert.equal(resolved.resolvedBy, 'bob');
  assert.equal(resolved.resolveNote, 'killed the runaway job');
  assert.equal(resolved.endsAt, T0 + 2 * MIN);
  // The condition is still true at +3m: it stays resolved rather than re-firing at once.
  now = T0 + 3 * MIN;
  assert.deepEqual(ev.evaluate(), []);
  assert.throws(() => ev.ack(firing!.fingerprint, 'carol'), { code: 'ALERT_NOT_ACTIVE' });
  assert.throws(() => ev.ack('0000000000000000', 'carol'), { code: 'ALERT_NOT_FOUND' });
  // False at +5m re-arms it; true again at +7m is a new occurrence, unacknowledged.
  for (const m of [5, 6]) assert.deepEqual(ev.evaluate(T0 + m * MIN), []);
  const again = ev.evaluate(T0 + 7 * MIN);
  assert.deepEqual(states(again), ['firing']);
  assert.equal(again[0]!.ackedBy, undefined);
  assert.equal(again[0]!.fingerprint, firing!.fingerprint);
  assert.deepEqual(states(seen), ['firing', 'firing', 'resolved', 'firing']);
});

test('reload keeps the state of rules that keep their name, resolves removed ones, and evaluates new ones', (t) => {
  const store = tempStore(t);
  write(store, { __name__: 'cpu', host: 'a' }, fill(T0, T0 + 10 * MIN, MIN, () => 95));
  const ev = new RuleEvaluator({
    store,
    rules: rules(`
rules:
  - { name: HighCpu, type: threshold, severity: high, selector: cpu, op: '>', value: 90, for: 2m }
  - { name: Old, type: threshold, severity: low, selector: cpu, op: '>', value: 0 }
`),
  });
  assert.deepEqual(ev.evaluate(T0).map((e) => `${e.rule} ${e.state}`), ['HighCpu pending', 'Old firing']);
  const removed = ev.reload(
    rules(`
rules:
  - { name: HighCpu, type: threshold, severity: high, selector: cpu, op: '>', value: 90, for: 2m, annotations: { title: changed } }
  - { name: New, type: threshold, severity: low, selector: cpu, op: '>', value: 50 }
`),
    T0 + MIN,
  );
  assert.deepEqual(removed.map((e) => `${e.rule} ${e.state}`), ['Old resolved']);
  // HighCpu has been pending since T0: it fires at +2m, not 2 minutes after the reload.
  assert.deepEqual(ev.evaluate(T0 + MIN).map((e) => `${e.rule} ${e.state}`), ['New firing']);
  const fired = ev.evaluate(T0 + 2 * MIN);
  assert.deepEqual(fired.map((e) => `${e.rule} ${e.state}`), ['HighCpu firing']);
  assert.equal(fired[0]!.annotations.title, 'changed');
  assert.equal(fired[0]!.activeAt, T0);
});

test('backtest replays stored history and counts how often each rule would have fired, and when', (t) => {
  const store = tempStore(t);
  // Three bursts above 90: at 10-14m, 30-31m and 50-59m.
  const burst = (m: number) => (m >= 10 && m < 15) || (m >= 30 && m < 32) || (m >= 50 && m < 60);
  write(store, { __name__: 'cpu', host: 'a' }, fill(T0, T0 + 60 * MIN, MIN, (x) => (burst((x - T0) / MIN) ? 95 : 40)));
  const report = backtest(
    rules(`
rules:
  - { name: HighCpu, type: threshold, severity: high, selector: cpu, op: '>', value: 90 }
  - { name: HighCpuFor3m, type: threshold, severity: high, selector: cpu, op: '>', value: 90, for: 3m }
  - { name: Never, type: threshold, severity: high, selector: cpu, op: '>', value: 100 }
`),
    store,
    T0,
    T0 + 60 * MIN,
    MIN,
  );
  assert.equal(report.evaluations, 61);
  const by = Object.fromEntries(report.rules.map((r) => [r.rule, r]));
  assert.equal(by.HighCpu!.firings, 3);
  assert.deepEqual(
    by.HighCpu!.alerts.map((a) => [(a.at - T0) / MIN, (a.resolvedAt! - T0) / MIN]),
    [
      [10, 15],
      [30, 32],
      [50, 60],
    ],
  );
  // The 2-minute burst never lasts 3 minutes.
  assert.equal(by.HighCpuFor3m!.firings, 2);
  assert.deepEqual(by.HighCpuFor3m!.alerts.map((a) => (a.at - T0) / MIN), [13, 53]);
  assert.equal(by.Never!.firings, 0);
});
