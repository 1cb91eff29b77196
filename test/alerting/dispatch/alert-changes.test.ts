import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DispatchedAlert } from '../../../src/alerting/dispatch/index.js';
import { M, S, alert, harness, resolved, routing } from './helpers.js';

const team = routing(`
route: { receiver: team, group_by: [alertname], group_wait: 30s, group_interval: 5m }
receivers: [{ name: team }]
`);

/** What a listener of `onAlert` hears, as `instance:state:severity`. */
function listen(d: { onAlert(l: (a: DispatchedAlert) => void): () => void }): string[] {
  const heard: string[] = [];
  d.onAlert((a) => heard.push(`${a.labels.instance}:${a.state}:${a.severity}`));
  return heard;
}

test('onAlert reports an alert when it is new, changes severity or resolves; unchanged re-sends are not reported', () => {
  const h = harness({ config: team });
  const heard = listen(h.d);
  const a = alert({ alertname: 'HighLatency', instance: 'a' });
  h.receive(0, a);
  // Alertmanager re-sends every firing alert at each group_interval: nothing changed, nothing to report.
  h.receive(10 * S, a);
  h.receive(20 * S, a);
  const raised = { ...a, severity: 'high' as const };
  h.receive(30 * S, raised);
  h.receive(1 * M, resolved(raised, 1 * M));
  assert.deepEqual(heard, ['a:firing:medium', 'a:firing:high', 'a:resolved:high']);
});

test('onAlert reports an alert the dispatcher forgets after reporting it resolved, and one that fires again', () => {
  const h = harness({ config: team });
  const heard = listen(h.d);
  const a = alert({ alertname: 'DiskFull', instance: 'b' });
  h.receive(0, a);
  h.run(30 * S);
  h.receive(1 * M, resolved(a, 1 * M));
  heard.length = 0;
  h.run(5 * M + 30 * S); // the group reports the resolution, then forgets the alert
  assert.deepEqual(heard, ['b:resolved:medium']);
  assert.equal(h.d.alertState(a.fingerprint), undefined);
  h.receive(10 * M, alert({ alertname: 'DiskFull', instance: 'b' }, { at: 10 * M }));
  assert.deepEqual(heard, ['b:resolved:medium', 'b:firing:medium']);
  assert.equal(h.d.alertState(a.fingerprint), 'firing');
});

test('alertState tells an alert whose endsAt has passed from a firing one, without building its view', () => {
  const h = harness({ config: team });
  h.receive(0, alert({ alertname: 'Probe', instance: 'c' }, { endsAt: Date.UTC(2025, 0, 1) + 2 * M }));
  assert.equal(h.d.alertState('alertname=Probe,instance=c'), 'firing');
  h.run(3 * M);
  assert.equal(h.d.alertState('alertname=Probe,instance=c'), 'resolved');
});
