import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dispatcher } from '../../src/alerting/dispatch/index.js';
import { IncidentManager, IncidentStore } from '../../src/incidents/index.js';
import { IncidentFeed } from '../../src/app/incident-feed.js';
import { MIN, T0, alert, clock, shopGraph } from '../incidents/helpers.js';

/** A dispatcher and an incident manager on one fake clock, joined by the feed as `vigil serve` joins them. */
function stage(ruleTracks: (fp: string) => boolean = () => false) {
  const c = clock();
  const graph = shopGraph();
  const manager = new IncidentManager({ store: new IncidentStore(':memory:'), graph: () => graph, now: c.now });
  const dispatcher = new Dispatcher({ now: c.now, notify: () => {} });
  const feed = new IncidentFeed(manager, dispatcher, ruleTracks);
  const changes: string[] = [];
  manager.onChange((inc, change) => changes.push(`${change}:${inc.members.length}`));
  return { c, manager, dispatcher, feed, changes };
}

test('alerts received by the dispatcher (e.g. from Alertmanager) join incidents as they arrive, with no pass over the alerts held', () => {
  const { manager, dispatcher, changes } = stage();
  dispatcher.receive([alert('HighLatency', 'api', 0), alert('HighErrorRate', 'web', 0)]);
  const inc = manager.incidentOfAlert('HighLatency-api');
  assert.ok(inc, 'correlated on receipt');
  assert.equal(manager.incidentOfAlert('HighErrorRate-web')?.id, inc.id, 'web depends on api: one incident');
  const before = changes.length;
  // Alertmanager re-sends its firing alerts at every group_interval: the incident stage hears nothing.
  for (let i = 0; i < 100; i++) dispatcher.receive([alert('HighLatency', 'api', 0), alert('HighErrorRate', 'web', 0)]);
  assert.equal(changes.length, before);
  // A change does reach it.
  dispatcher.receive(alert('HighLatency', 'api', 0, { severity: 'critical' }));
  assert.equal(manager.get(inc.id)!.members.find((m) => m.ref === 'HighLatency-api')!.severity, 'critical');
});

test('sweep resolves members whose alert ended without an event: endsAt passed, or no source holds it', () => {
  const { c, manager, dispatcher, feed } = stage();
  // An Alertmanager alert carries endsAt; if its sender stops re-sending, it ends then.
  dispatcher.receive({ ...alert('HighLatency', 'api', 0), endsAt: T0 + 4 * MIN });
  manager.observeAlert(alert('CacheEvictions', 'cache', 0)); // a member no source holds (e.g. after a restart)
  const inc = manager.incidentOfAlert('HighLatency-api')!;
  assert.equal(manager.incidentOfAlert('CacheEvictions-cache')?.id, inc.id);
  c.set(T0 + 2 * MIN);
  assert.equal(feed.sweep(c.now()), 1, 'the alert no one holds is over');
  c.set(T0 + 5 * MIN);
  assert.equal(feed.sweep(c.now()), 1, 'the Alertmanager alert is over at its endsAt');
  manager.tick(c.now());
  assert.equal(manager.get(inc.id)!.state, 'mitigated');
  assert.equal(feed.sweep(c.now()), 0, 'nothing left to visit');
});

test('sweep keeps a member a Vigil rule still tracks though the dispatcher does not hold it yet', () => {
  const { c, manager, feed } = stage((fp) => fp === 'HighLatency-api');
  manager.observeAlert(alert('HighLatency', 'api', 0));
  c.set(T0 + MIN);
  assert.equal(feed.sweep(c.now()), 0);
  assert.equal(manager.incidentOfAlert('HighLatency-api')!.members[0]!.state, 'firing');
});
