import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startVigil } from '../../src/app/vigil-app.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/api/logger.js';
import { Receiver } from '../notify/helpers.js';
import { tempDir } from '../helpers/vigil-process.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * The whole alerting path on a running Vigil: samples in, a threshold rule fires,
 * the dispatcher groups and routes it by severity, the outbox delivers it to a
 * real HTTP receiver; silences and acknowledgement through the APIs.
 */
test('a firing rule reaches the webhook receiver its severity routes to; silences and acks work', { timeout: 60_000 }, async () => {
  const receiver = await Receiver.start(() => ({ status: 200 }));
  const dir = tempDir();
  const yaml = `
server: { listen: 127.0.0.1:0, logLevel: silent }
storage: { dir: ${join(dir, 'data')} }
detect: { enabled: false }
notify:
  outbox: { retryBase: 100ms }
  channels:
    - { name: pager, type: webhook, url: "${receiver.url}/pager" }
    - { name: chat, type: webhook, url: "${receiver.url}/chat" }
rules:
  - name: QueueBacklog
    type: threshold
    severity: high
    selector: queue_depth
    op: '>'
    value: 100
    annotations: { title: 'queue {{ $labels.queue }} backlog {{ $value }}' }
ruleEvaluation: { evaluationInterval: 1s }
# The alert-group path: incident-level notifications (the default) are tested in test/app/incident-notify-default.test.ts.
incidents: { notifyPerIncident: false }
routing:
  route:
    receiver: chat
    group_by: [alertname]
    group_wait: 1s
    group_interval: 1s
    routes:
      - { matchers: ['severity=~"critical|high"'], receiver: pager }
  receivers:
    - { name: pager, channels: [pager] }
    - { name: chat, channels: [chat] }
`;
  const app = await startVigil(parseConfig(yaml, 'vigil.yaml'), createLogger('silent'));
  try {
    const now = Date.now();
    const write = await fetch(`${app.url}/api/v1/samples`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ series: [{ labels: { __name__: 'queue_depth', queue: 'orders' }, samples: [[now - 1000, 450]] }] }),
    });
    assert.equal(write.status, 200);

    const delivered = await waitFor('the pager notification', () => receiver.requests.find((r) => r.path === '/pager'));
    const body = delivered.json as { kind: string; severity: string; title: string; alerts: Array<{ labels: Record<string, string> }> };
    assert.equal(body.kind, 'firing');
    assert.equal(body.severity, 'high');
    assert.equal(body.title, 'queue orders backlog 450');
    assert.equal(body.alerts[0]!.labels.alertname, 'QueueBacklog');
    assert.ok(!receiver.requests.some((r) => r.path === '/chat'), 'high goes to the pager route only');

    const alerts = (await (await fetch(`${app.url}/api/v1/alerts?state=firing`)).json()) as { data: Array<{ fingerprint: string }> };
    assert.equal(alerts.data.length, 1);
    const fp = alerts.data[0]!.fingerprint;
    const ack = await fetch(`${app.url}/api/v1/alerts/${fp}/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ by: 'alice', comment: 'on it' }) });
    assert.equal(ack.status, 200);
    const acked = (await (await fetch(`${app.url}/api/v1/alerts`)).json()) as { data: Array<{ ack?: { by: string } }> };
    assert.equal(acked.data[0]!.ack?.by, 'alice');

    // An Alertmanager-style silence (as amtool posts it) is listed in Alertmanager's shape.
    const silence = await fetch(`${app.url}/api/v2/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: [{ name: 'alertname', value: 'DiskFull', isRegex: false, isEqual: true }],
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3600_000).toISOString(),
        createdBy: 'bob',
        comment: 'maintenance',
      }),
    });
    assert.equal(silence.status, 200, await silence.clone().text());
    const { silenceID } = (await silence.json()) as { silenceID: string };
    const listed = (await (await fetch(`${app.url}/api/v2/silences`)).json()) as Array<{ id: string; status: { state: string } }>;
    assert.deepEqual(listed.map((s) => [s.id, s.status.state]), [[silenceID, 'active']]);

    // Alerts from an existing Alertmanager arrive through its webhook; the silence mutes this one.
    const am = await fetch(`${app.url}/api/v1/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        version: '4',
        status: 'firing',
        alerts: [{ status: 'firing', labels: { alertname: 'DiskFull', severity: 'critical', instance: 'db-1' }, annotations: {}, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z' }],
      }),
    });
    assert.equal(am.status, 200);
    const v2 = await waitFor('the Alertmanager alert in /api/v2/alerts', async () => {
      const list = (await (await fetch(`${app.url}/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string>; status: { state: string; silencedBy: string[] } }>;
      return list.find((a) => a.labels.alertname === 'DiskFull');
    });
    assert.deepEqual(v2.status.silencedBy, [silenceID]);
    await new Promise((r) => setTimeout(r, 2500));
    assert.ok(!receiver.requests.some((r) => JSON.stringify(r.json).includes('DiskFull')), 'a silenced alert is not notified');

    const bad = await fetch(`${app.url}/api/v1/alerts/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version: '4', alerts: [{ labels: {} }] }) });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /alerts\[0\]\.labels\.alertname: is required/);
  } finally {
    await app.close();
    await receiver.close();
  }
});
