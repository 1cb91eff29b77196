import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raiseSeverity } from '../../../src/alerting/dispatch/index.js';
import { M, S, alert, harness, resolved, routing, summary } from './helpers.js';

const config = routing(`
route:
  receiver: slack
  group_by: [alertname]
  routes:
    - { matchers: ['severity=~"critical|high"'], receiver: pagerduty, continue: true }
    - { matchers: ['severity=~"critical|high|medium|low"'], receiver: slack }
receivers:
  - { name: pagerduty, channels: [pagerduty] }
  - { name: slack, channels: [slack] }
escalations:
  - after: 15m
    matchers: ['severity=~"medium|high"']
    raise_severity: true
    add_receivers: [pagerduty]
`);

test('severity goes up one step at a time and stops at critical', () => {
  assert.deepEqual(['info', 'low', 'medium', 'high', 'critical'].map((s) => raiseSeverity(s as never)), ['low', 'medium', 'high', 'critical', 'critical']);
});

test('an alert firing unacknowledged for 15m escalates: severity up one step and pagerduty added', () => {
  const h = harness({ config });
  h.receive(0, alert({ alertname: 'QueueBacklog', instance: 'q1' }, { severity: 'medium', fingerprint: 'q1' }));
  assert.deepEqual(summary(h.run(30 * S)), ['slack firing [q1:firing] @30s']);
  assert.deepEqual(h.run(15 * M - S), [], 'nothing before the delay');
  const [page] = h.at(15 * M);
  assert.equal(page!.receiver, 'pagerduty', 'the added receiver is notified at once (the alert is older than group_wait)');
  assert.equal(page!.severity, 'high');
  assert.equal(page!.escalated, true);
  assert.deepEqual(page!.alerts[0]!.escalation, { level: 1, originalSeverity: 'medium', addedReceivers: ['pagerduty'] });
  const [update] = h.run(15 * M + 30 * S);
  assert.deepEqual([update!.receiver, update!.severity, update!.escalated], ['slack', 'high', true], 'the raised severity is a change for the slack group too');
  assert.deepEqual(h.run(60 * M), [], 'escalates once per rule');
  h.receive(61 * M, resolved(alert({ alertname: 'QueueBacklog', instance: 'q1' }, { severity: 'medium', fingerprint: 'q1' }), 61 * M));
  assert.deepEqual(summary(h.run(66 * M)).sort(), ['pagerduty resolved [q1:resolved] @1h5m', 'slack resolved [q1:resolved] @1h5m30s']);
});

test('an acknowledged alert does not escalate', () => {
  const acked = new Set(['q1']);
  const h = harness({ config, isAcknowledged: (fp) => acked.has(fp) });
  h.receive(0, alert({ alertname: 'QueueBacklog', instance: 'q1' }, { severity: 'medium', fingerprint: 'q1' }), alert({ alertname: 'QueueBacklog', instance: 'q2' }, { severity: 'medium', fingerprint: 'q2' }));
  h.run(30 * S);
  const later = h.run(30 * M);
  assert.deepEqual(
    later.map((n) => `${n.receiver}:${n.alerts.filter((a) => a.escalation).map((a) => a.fingerprint)}`),
    ['pagerduty:q2', 'slack:q2'],
    'only the unacknowledged q2 escalated',
  );
  assert.equal(h.d.alerts().find((v) => v.alert.fingerprint === 'q1')!.alert.severity, 'medium');
});

test('alerts outside the escalation matchers do not escalate', () => {
  const h = harness({ config });
  h.receive(0, alert({ alertname: 'Chatty', instance: 'c' }, { severity: 'low' }));
  h.run(30 * S);
  assert.deepEqual(h.run(2 * 60 * M), []);
});
