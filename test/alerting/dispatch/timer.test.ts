import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dispatcher, type GroupNotification } from '../../../src/alerting/dispatch/index.js';
import { alert, routing } from './helpers.js';

test('with the production timer, a group with group_wait 0s is notified as soon as its alert arrives, not at the next second', async () => {
  const sent: Array<{ n: GroupNotification; at: number }> = [];
  const d = new Dispatcher({ config: routing('route: { receiver: ops, group_by: [alertname], group_wait: 0s }\nreceivers: [{ name: ops, channels: [ops] }]'), notify: (n) => void sent.push({ n, at: performance.now() }) });
  d.start(10_000);
  try {
    const t0 = performance.now();
    d.receive(alert({ alertname: 'Probe', instance: 'a' }, { startsAt: Date.now() }));
    while (sent.length === 0 && performance.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 1));
    assert.equal(sent.length, 1);
    assert.ok(sent[0]!.at - t0 < 200, `notified after ${(sent[0]!.at - t0).toFixed(0)} ms`);
    // A group waiting 30s is left to the regular timer.
    const d30 = new Dispatcher({ config: routing('route: { receiver: ops, group_by: [alertname] }\nreceivers: [{ name: ops, channels: [ops] }]'), notify: (n) => void sent.push({ n, at: performance.now() }) });
    d30.start(10_000);
    d30.receive(alert({ alertname: 'Waits', instance: 'a' }, { startsAt: Date.now() }));
    await new Promise((r) => setTimeout(r, 100));
    d30.stop();
    assert.equal(sent.length, 1);
  } finally {
    d.stop();
  }
});
