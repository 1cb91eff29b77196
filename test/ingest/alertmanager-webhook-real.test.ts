import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startVigil } from '../../src/app/vigil-app.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/api/logger.js';
import { alertFingerprint } from '../../src/alerting/rules/alert-state.js';
import { Receiver } from '../notify/helpers.js';
import { tempDir } from '../helpers/vigil-process.js';
import { ALERTMANAGER, Procs, freePort, skipUnless, waitFor } from '../helpers/prometheus.js';

interface V2Alert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  endsAt: string;
}

interface Notification {
  kind: string;
  alerts: Array<{ labels: Record<string, string>; state?: string }>;
}

/**
 * A real Alertmanager whose webhook receiver points at Vigil: alerts posted to
 * Alertmanager's API v2 reach Vigil's alerting as firing, then as resolved,
 * under the fingerprint Vigil's own rules would give them, and are routed and
 * notified by Vigil like its own alerts.
 */
test('a real Alertmanager delivers firing and then resolved alerts to Vigil through its webhook', { skip: skipUnless(ALERTMANAGER), timeout: 60_000 }, async () => {
  const procs = new Procs();
  const notified = await Receiver.start(() => ({ status: 200 }));
  const dir = tempDir();
  const yaml = `
server: { listen: 127.0.0.1:0, logLevel: silent }
storage: { dir: ${join(dir, 'data')} }
detect: { enabled: false }
notify:
  channels:
    - { name: oncall, type: webhook, url: "${notified.url}/oncall" }
# The alert-group path: incident-level notifications (the default) are tested in test/app/incident-notify-default.test.ts.
incidents: { notifyPerIncident: false }
routing:
  route: { receiver: oncall, group_by: [alertname], group_wait: 1s, group_interval: 1s }
  receivers:
    - { name: oncall, channels: [oncall] }
`;
  const vigil = await startVigil(parseConfig(yaml, 'vigil.yaml'), createLogger('silent'));
  try {
    const amPort = await freePort();
    writeFileSync(
      join(dir, 'alertmanager.yml'),
      `route:
  receiver: vigil
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: vigil
    webhook_configs:
      - url: ${vigil.url}/api/v1/alerts/alertmanager
        send_resolved: true
`,
    );
    let amLog = '';
    const am = procs.add(
      spawn(
        ALERTMANAGER,
        [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'am')}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address='],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      ),
    );
    am.stderr!.setEncoding('utf8');
    am.stderr!.on('data', (d: string) => (amLog = (amLog + d).slice(-4000)));
    const amUrl = `http://127.0.0.1:${amPort}`;
    await waitFor('Alertmanager to be ready', 20_000, async () => {
      if (am.exitCode !== null) throw new Error(`alertmanager exited with ${am.exitCode}: ${amLog}`);
      return (await fetch(`${amUrl}/-/ready`)).ok ? true : undefined;
    });

    const labels = { alertname: 'DiskFull', severity: 'critical', instance: 'db-1:9100', job: 'node' };
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const post = (endsAt?: string) =>
      fetch(`${amUrl}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ labels, annotations: { summary: 'disk / is 97% full' }, startsAt, ...(endsAt ? { endsAt } : {}), generatorURL: 'http://prometheus:9090/graph?g0.expr=disk' }]),
      });

    const fired = await post();
    assert.equal(fired.status, 200, await fired.clone().text());
    const fp = alertFingerprint(labels.alertname, labels);
    const firing = await waitFor('the firing alert in Vigil', 15_000, async () => {
      const list = (await (await fetch(`${vigil.url}/api/v2/alerts`)).json()) as V2Alert[];
      return list.find((a) => a.labels.alertname === 'DiskFull');
    });
    assert.equal(firing.fingerprint, fp, 'de-duplicated under the fingerprint Vigil gives the same labels');
    assert.deepEqual({ ...firing.labels }, labels);
    assert.equal(firing.annotations.summary, 'disk / is 97% full');
    assert.equal(firing.annotations.generator_url, 'http://prometheus:9090/graph?g0.expr=disk');
    assert.ok(Date.parse(firing.endsAt) <= 0, `a firing alert has no end yet (endsAt ${firing.endsAt})`);

    // Vigil routes and notifies it as its own.
    const page = await waitFor('Vigil to notify the firing alert', 15_000, async () => {
      const r = notified.requests.find((x) => (x.json as Notification).kind === 'firing');
      return r?.json as Notification | undefined;
    });
    assert.equal(page.alerts[0]!.labels.alertname, 'DiskFull');

    // Resolving it in Alertmanager (an end time in the past) resolves it in Vigil.
    const resolvedAt = Date.now() - 1000;
    const resolved = await post(new Date(resolvedAt).toISOString());
    assert.equal(resolved.status, 200, await resolved.clone().text());
    // Vigil notifies the resolution and then forgets the alert (group_interval 1s), so the resolution is read
    // from that notification rather than from a listing that may already have dropped it.
    const done = await waitFor('Vigil to notify the resolution', 15_000, async () => {
      const r = notified.requests.find((x) => (x.json as Notification).kind === 'resolved');
      return r?.json as (Notification & { alerts: Array<{ fingerprint: string; endsAt: string | null }> }) | undefined;
    });
    assert.equal(done.alerts.filter((a) => a.labels.alertname === 'DiskFull').length, 1, 'one alert, not a second one for the resolution');
    const ended = done.alerts[0]!;
    assert.equal(ended.fingerprint, fp);
    assert.ok(Math.abs(Date.parse(ended.endsAt ?? '') - resolvedAt) < 2000, `ends when Alertmanager says (${ended.endsAt})`);
  } finally {
    await procs.killAll();
    await vigil.close();
    await notified.close();
  }
});
