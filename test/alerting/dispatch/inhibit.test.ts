import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Inhibitor, parseMatchers } from '../../../src/alerting/dispatch/index.js';
import { M, S, alert, harness, resolved, routing, summary } from './helpers.js';

const criticalMutesLower = new Inhibitor([
  { sourceMatchers: parseMatchers('severity="critical"'), targetMatchers: parseMatchers('severity=~"medium|low"'), equal: ['service'] },
]);
const src = (fingerprint: string, labels: Record<string, string>) => ({ fingerprint, labels });

test('a firing source mutes targets with the same equal labels', () => {
  const firing = [src('down', { alertname: 'ServiceDown', service: 'api', severity: 'critical' })];
  assert.deepEqual(criticalMutesLower.inhibitedBy({ alertname: 'HighLatency', service: 'api', severity: 'medium' }, firing), ['down']);
});

test('not when an equal label differs', () => {
  const firing = [src('down', { alertname: 'ServiceDown', service: 'api', severity: 'critical' })];
  assert.deepEqual(criticalMutesLower.inhibitedBy({ alertname: 'HighLatency', service: 'db', severity: 'medium' }, firing), []);
  assert.deepEqual(criticalMutesLower.inhibitedBy({ alertname: 'HighLatency', severity: 'medium' }, firing), [], 'absent on one side only');
  assert.deepEqual(criticalMutesLower.inhibitedBy({ alertname: 'X', severity: 'medium' }, [src('s', { severity: 'critical' })]), ['s'], 'absent on both sides counts as equal');
});

test('not targets outside target_matchers', () => {
  const firing = [src('down', { service: 'api', severity: 'critical' })];
  assert.deepEqual(criticalMutesLower.inhibitedBy({ service: 'api', severity: 'high' }, firing), []);
});

test('an alert does not inhibit itself, nor another alert matching both sides', () => {
  const rule = new Inhibitor([{ sourceMatchers: parseMatchers('severity="critical"'), targetMatchers: parseMatchers('severity=~".+"'), equal: ['service'] }]);
  const a = src('a', { alertname: 'Down', service: 'api', severity: 'critical' });
  const b = src('b', { alertname: 'Unreachable', service: 'api', severity: 'critical' });
  assert.deepEqual(rule.inhibitedBy(a.labels, [a, b], 'a'), []);
  assert.deepEqual(rule.inhibitedBy(b.labels, [a, b], 'b'), []);
  assert.deepEqual(rule.inhibitedBy({ alertname: 'Slow', service: 'api', severity: 'high' }, [a, b]), ['a', 'b']);
});

test('in the dispatcher: the inhibited alert is held back while the source fires, visible with inhibitedBy', () => {
  const h = harness({
    config: routing(`
route: { receiver: r, group_by: [service] }
receivers: [{ name: r, channels: [x] }]
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity=~"medium|low"']
    equal: [service]
`),
  });
  const down = alert({ alertname: 'ServiceDown', instance: 'down', service: 'api' }, { severity: 'critical', fingerprint: 'down' });
  h.receive(0, down, alert({ alertname: 'HighLatency', instance: 'slow', service: 'api' }), alert({ alertname: 'HighLatency', instance: 'db-slow', service: 'db' }));
  assert.deepEqual(summary(h.run(30 * S)).sort(), ['r firing [db-slow:firing] @30s', 'r firing [down:firing] @30s']);
  const slow = h.d.alerts().find((v) => v.alert.labels.instance === 'slow')!;
  assert.deepEqual(slow.status, { state: 'suppressed', silencedBy: [], inhibitedBy: ['down'] });
  h.receive(M, resolved(down, M));
  assert.deepEqual(summary(h.run(5 * M + 30 * S)), ['r firing [slow:firing down:resolved] @5m30s'], 'source resolved: the target is notified');
});
