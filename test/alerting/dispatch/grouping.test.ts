import { test } from 'node:test';
import assert from 'node:assert/strict';
import { H, M, S, T0, alert, harness, resolved, routing, summary } from './helpers.js';

const team = routing(`
route:
  receiver: team
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - { name: team, channels: [team-slack] }
`);

test('group_wait: alerts arriving together make one notification after 30s', () => {
  const h = harness({ config: team });
  h.receive(0, alert({ alertname: 'HighLatency', instance: 'a' }));
  h.receive(10 * S, alert({ alertname: 'HighLatency', instance: 'b' }, { at: 10 * S }));
  assert.deepEqual(h.run(29 * S), [], 'nothing before group_wait');
  assert.deepEqual(summary(h.run(30 * S)), ['team firing [a:firing b:firing] @30s']);
});

test('group_interval: later changes are batched and flushed at most every 5m', () => {
  const h = harness({ config: team });
  h.receive(0, alert({ alertname: 'HighLatency', instance: 'a' }));
  h.run(30 * S);
  h.receive(1 * M, alert({ alertname: 'HighLatency', instance: 'c' }));
  h.receive(2 * M, alert({ alertname: 'HighLatency', instance: 'd' }));
  assert.deepEqual(h.run(5 * M + 29 * S), [], 'held until the next group_interval tick');
  assert.deepEqual(summary(h.run(5 * M + 30 * S)), ['team firing [a:firing c:firing d:firing] @5m30s']);
  assert.deepEqual(h.run(10 * M + 30 * S), [], 'nothing changed: nothing sent');
});

test('repeat_interval: an unchanged firing group is re-notified at the first group_interval tick after 4h', () => {
  const h = harness({ config: team });
  h.receive(0, alert({ alertname: 'DiskFull', instance: 'a' }));
  assert.equal(h.run(30 * S).length, 1);
  assert.deepEqual(h.run(4 * H + 30 * S), [], 'exactly 4h later is not yet "more than" repeat_interval (as Alertmanager)');
  assert.deepEqual(summary(h.run(4 * H + 5 * M + 30 * S)), ['team firing [a:firing] @4h5m30s']);
  assert.deepEqual(h.run(8 * H + 5 * M + 30 * S), []);
  assert.equal(h.run(8 * H + 10 * M + 30 * S).length, 1);
});

test('resolution: one resolved notification at the next group_interval, then the group is gone', () => {
  const h = harness({ config: team });
  const a = alert({ alertname: 'DiskFull', instance: 'a' });
  const b = alert({ alertname: 'DiskFull', instance: 'b' });
  h.receive(0, a, b);
  h.run(30 * S);
  h.receive(1 * M, resolved(a, 1 * M));
  assert.deepEqual(summary(h.run(5 * M + 30 * S)), ['team firing [a:resolved b:firing] @5m30s'], 'a change: a resolved');
  h.receive(6 * M, resolved(b, 6 * M));
  const [n] = h.run(10 * M + 30 * S);
  assert.equal(n!.status, 'resolved');
  assert.deepEqual(summary([n!]), ['team resolved [b:resolved] @10m30s']);
  assert.equal(n!.alerts[0]!.endsAt, T0 + 6 * M);
  assert.deepEqual(h.d.groups(), [], 'group removed');
  assert.deepEqual(h.d.alerts(), []);
  assert.deepEqual(h.run(5 * H), [], 'and nothing more');
});

test('an alert that fires and resolves within group_wait is never notified', () => {
  const h = harness({ config: team });
  const a = alert({ alertname: 'Blip', instance: 'a' });
  h.receive(0, a);
  h.receive(10 * S, resolved(a, 10 * S));
  assert.deepEqual(h.run(1 * H), []);
  assert.deepEqual(h.d.groups(), []);
});

test('an alert that started long ago is not held back by group_wait (as Alertmanager)', () => {
  const h = harness({ config: team });
  h.receive(10 * M, alert({ alertname: 'Old', instance: 'a' }));
  assert.deepEqual(summary(h.at(10 * M)), ['team firing [a:firing] @10m']);
});

test('group_by splits alerts into one group, and one notification, per label value', () => {
  const h = harness({
    config: routing(`
route: { receiver: team, group_by: [alertname, service] }
receivers: [{ name: team, channels: [slack] }]
`),
  });
  h.receive(0, alert({ alertname: 'Errors', service: 'api', instance: 'a' }), alert({ alertname: 'Errors', service: 'db', instance: 'b' }), alert({ alertname: 'Errors', service: 'api', instance: 'c' }));
  const ns = h.run(30 * S);
  assert.equal(ns.length, 2);
  const byService = Object.fromEntries(ns.map((n) => [n.groupLabels.service, n]));
  assert.deepEqual(byService.api!.groupLabels, { alertname: 'Errors', service: 'api' });
  assert.deepEqual(byService.api!.alerts.map((a) => a.labels.instance), ['a', 'c']);
  assert.deepEqual(byService.db!.alerts.map((a) => a.labels.instance), ['b']);
  assert.notEqual(byService.api!.groupKey, byService.db!.groupKey);
  assert.deepEqual(byService.api!.commonLabels, { alertname: 'Errors', service: 'api', severity: 'medium' });
});

test("group_by: ['...'] groups by every label (one group per alert)", () => {
  const h = harness({ config: routing(`{ route: { receiver: r, group_by: ['...'] }, receivers: [{ name: r }] }`) });
  h.receive(0, alert({ alertname: 'X', instance: 'a' }), alert({ alertname: 'X', instance: 'b' }));
  assert.equal(h.run(30 * S).length, 2);
});

test('the group key is stable: the same group has the same key across dispatchers and notifications', () => {
  const keys = [0, 1].map(() => {
    const h = harness({ config: team });
    h.receive(0, alert({ alertname: 'X', instance: 'a' }));
    return h.run(30 * S)[0]!.groupKey;
  });
  assert.equal(keys[0], keys[1]);
  assert.match(keys[0]!, /^[0-9a-f]{16}$/);
});

test('the same fingerprint from two sources (a Vigil rule and Alertmanager) is one alert', () => {
  const h = harness({ config: team });
  const fromRule = alert({ alertname: 'Down', instance: 'a' }, { fingerprint: 'fp-1', source: 'rule:Down' });
  h.receive(0, fromRule);
  h.receive(5 * S, { ...fromRule, source: 'alertmanager', startsAt: T0 + 5 * S });
  const [n] = h.run(30 * S);
  assert.equal(n!.alerts.length, 1);
  assert.equal(n!.alerts[0]!.source, 'alertmanager', 'latest update wins');
  assert.equal(n!.alerts[0]!.startsAt, T0, 'earliest start is kept');
  h.receive(M, fromRule);
  assert.deepEqual(h.run(5 * M + 30 * S), [], 'a re-send is not a change');
  h.receive(6 * M, { ...resolved(fromRule, 6 * M), source: 'alertmanager' });
  assert.deepEqual(summary(h.run(10 * M + 30 * S)), ['team resolved [a:resolved] @10m30s']);
});

test('pending alerts are not routed; inactive ends a known alert', () => {
  const h = harness({ config: team });
  const a = alert({ alertname: 'X', instance: 'a' });
  h.receive(0, { ...a, state: 'pending' });
  assert.deepEqual(h.run(10 * M), []);
  h.receive(10 * M, a);
  h.at(10 * M);
  assert.equal(h.sent.length, 1, 'started 10m ago: sent at once');
  h.receive(11 * M, { ...a, state: 'inactive' });
  assert.equal(h.run(15 * M).at(-1)!.status, 'resolved');
});

test('a receiver with send_resolved: false is not told about resolutions', () => {
  const h = harness({ config: routing(`{ route: { receiver: r }, receivers: [{ name: r, channels: [x], send_resolved: false }] }`) });
  const a = alert({ alertname: 'X', instance: 'a' });
  h.receive(0, a);
  h.run(30 * S);
  h.receive(M, resolved(a, M));
  assert.deepEqual(h.run(H), []);
  assert.deepEqual(h.d.groups(), []);
});

test('nextTickAt tells a production timer when the next flush is due', () => {
  const h = harness({ config: team });
  assert.equal(h.d.nextTickAt(), undefined);
  h.receive(0, alert({ alertname: 'X', instance: 'a' }));
  assert.equal(h.d.nextTickAt(), T0 + 30 * S);
});
