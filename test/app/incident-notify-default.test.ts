import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startVigil } from '../../src/app/vigil-app.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/api/logger.js';
import { Receiver } from '../notify/helpers.js';
import { tempDir } from '../helpers/vigil-process.js';
import { waitFor } from '../helpers/wait-for.js';

/** Alertmanager's webhook body for firing alerts. */
function alertmanager(alerts: Array<Record<string, string>>): string {
  const startsAt = new Date().toISOString();
  return JSON.stringify({
    version: '4',
    status: 'firing',
    receiver: 'vigil',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.invalid',
    alerts: alerts.map((labels) => ({ status: 'firing', labels, annotations: { summary: `${labels.alertname} on ${labels.instance}` }, startsAt, endsAt: '0001-01-01T00:00:00Z' })),
  });
}

/**
 * The default configuration pages once per incident: alerts from Alertmanager
 * for a database and the two services that call it (three alert groups by
 * service) reach the incident stage as they arrive and make one notification
 * at a real HTTP receiver, naming every alert's host. A later alert joining
 * the notified incident, and Alertmanager re-sending the same alerts, page no one.
 */
test('by default, related alerts page once per incident; later members and re-sends do not page again', { timeout: 60_000 }, async () => {
  const receiver = await Receiver.start(() => ({ status: 200 }));
  const dir = tempDir();
  const yaml = `
server: { listen: 127.0.0.1:0, logLevel: silent }
storage: { dir: ${join(dir, 'data')} }
detect: { enabled: false }
notify:
  outbox: { retryBase: 100ms }
  channels:
    - { name: oncall, type: webhook, url: "${receiver.url}/oncall" }
routing:
  route: { receiver: oncall, group_by: [alertname, service], group_wait: 0s, group_interval: 1s }
  receivers:
    - { name: oncall, channels: [oncall] }
incidents: { notifyDelay: 1s }
services:
  - { name: db, type: database, criticality: critical }
  - { name: api, type: application, dependsOn: [db] }
  - { name: web, type: web, dependsOn: [api] }
`;
  const config = parseConfig(yaml, 'vigil.yaml');
  assert.equal(config.incidents.notifyPerIncident, true, 'incident-level notifications are the default');
  const app = await startVigil(config, createLogger('silent'));
  const send = (alerts: Array<Record<string, string>>) =>
    fetch(`${app.url}/api/v1/alerts/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: alertmanager(alerts) });
  try {
    const first = [
      { alertname: 'SlowQueries', service: 'db', instance: 'db-1', severity: 'critical' },
      { alertname: 'HighLatency', service: 'api', instance: 'api-1', severity: 'critical' },
      { alertname: 'HighLatency', service: 'web', instance: 'web-1', severity: 'critical' },
    ];
    assert.equal((await send(first)).status, 200);
    const page = await waitFor('the incident page', () => receiver.requests.find((r) => r.path === '/oncall'));
    const body = page.json as { kind: string; dedupKey: string; alerts: Array<{ state: string; labels: Record<string, string> }>; links: { vigil: string } };
    assert.equal(body.kind, 'firing');
    assert.match(body.dedupKey, /^incident:/);
    assert.deepEqual(body.alerts.map((a) => `${a.state} ${a.labels.instance}`).sort(), ['firing api-1', 'firing db-1', 'firing web-1']);
    assert.match(body.links.vigil, /\/api\/v1\/incidents\/inc-/);

    // Another replica of web joins the incident; Alertmanager re-sends the first alerts.
    assert.equal((await send([{ alertname: 'HighLatency', service: 'web', instance: 'web-2', severity: 'critical' }])).status, 200);
    assert.equal((await send(first)).status, 200);
    const incidents = await waitFor('the member to join', () => {
      const list = app.incidents!.list();
      return list.length === 1 && list[0]!.members.length === 4 ? list : undefined;
    });
    assert.equal(incidents[0]!.notified?.severity, 'critical');
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(receiver.requests.filter((r) => r.path === '/oncall').length, 1, 'one page for the incident, none per alert group');
  } finally {
    await app.close();
    await receiver.close();
  }
});
