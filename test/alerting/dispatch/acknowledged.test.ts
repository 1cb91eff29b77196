import { test } from 'node:test';
import assert from 'node:assert/strict';
import { H, M, S, T0, alert, harness, resolved, routing, summary } from './helpers.js';

const config = routing(`
route:
  receiver: slack
  group_by: [alertname]
  repeat_interval: 1h
receivers:
  - { name: slack, channels: [slack] }
`);

const q1 = alert({ alertname: 'QueueBacklog', instance: 'q1' }, { fingerprint: 'q1' });
const q2 = alert({ alertname: 'QueueBacklog', instance: 'q2' }, { fingerprint: 'q2' });
const acked = (a: typeof q1, by: string, atMs: number, comment?: string) => ({ ...a, ackedBy: by, ackedAt: T0 + atMs, ...(comment ? { ackComment: comment } : {}) });

test('acknowledging the alert of a notified group sends one acknowledgement update at once, and stops repeats', () => {
  const h = harness({ config });
  h.receive(0, q1);
  assert.deepEqual(summary(h.run(30 * S)), ['slack firing [q1:firing] @30s']);
  const before = h.sent.length;
  h.receive(2 * M, acked(q1, 'alice', 2 * M, 'on it'));
  const [update, ...rest] = h.sent.slice(before);
  assert.equal(rest.length, 0);
  assert.deepEqual(update!.acknowledged, { by: 'alice', at: T0 + 2 * M, comment: 'on it' });
  assert.equal(update!.status, 'firing');
  assert.equal(update!.groupKey, h.sent[0]!.groupKey, 'the same group (PagerDuty dedup key)');
  assert.notEqual(update!.id, h.sent[0]!.id);
  assert.equal(update!.alerts[0]!.ackedBy, 'alice');
  h.receive(3 * M, acked(q1, 'alice', 2 * M, 'on it'));
  assert.deepEqual(h.run(3 * H), [], 'no second update and no repeat while acknowledged');
  h.receive(3 * H + 10 * M, resolved(q1, 3 * H + 10 * M));
  assert.deepEqual(summary(h.run(3 * H + 20 * M)), ['slack resolved [q1:resolved] @3h10m30s'], 'resolution is still sent, at the next group_interval');
});

test('a group is acknowledged when every alert it notified is; a new alert re-opens it', () => {
  const h = harness({ config });
  h.receive(0, q1, q2);
  assert.deepEqual(summary(h.run(30 * S)), ['slack firing [q1:firing q2:firing] @30s']);
  const before = h.sent.length;
  h.receive(M, acked(q1, 'alice', M));
  assert.equal(h.sent.length, before, 'one of two acknowledged: nothing yet');
  h.receive(2 * M, acked(q2, 'bob', 2 * M));
  assert.equal(h.sent.length, before + 1);
  assert.equal(h.sent[before]!.acknowledged?.by, 'bob');
  const q3 = alert({ alertname: 'QueueBacklog', instance: 'q3' }, { fingerprint: 'q3', at: 10 * M });
  h.receive(10 * M, q3);
  assert.deepEqual(summary(h.run(11 * M)), ['slack firing [q1:firing q2:firing q3:firing] @10m30s'], 'a new alert notifies the group again');
  assert.equal(h.sent.at(-1)!.acknowledged, undefined);
});

test('an alert acknowledged before its group notified gets no update', () => {
  const h = harness({ config });
  h.receive(0, q1);
  h.receive(10 * S, acked(q1, 'alice', 10 * S));
  assert.deepEqual(summary(h.run(30 * S)), ['slack firing [q1:firing] @30s']);
  assert.equal(h.sent[0]!.acknowledged, undefined);
});
