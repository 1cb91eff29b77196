import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startVigil, type VigilApp } from '../../src/app/vigil-app.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/api/logger.js';
import { tempDir } from '../helpers/vigil-process.js';
import { ALERTMANAGER, Procs, freePort, skipUnless, waitFor } from '../helpers/prometheus.js';

/**
 * Vigil against the real Alertmanager tools (Debian's prometheus-alertmanager
 * package): amtool reading and writing Vigil's Alertmanager API v2, and
 * Vigil's `alertmanager` channel delivering to a real Alertmanager.
 */

const AMTOOL = '/usr/bin/amtool';
const run = promisify(execFile);

async function amtool(url: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(AMTOOL, [`--alertmanager.url=${url}`, ...args], { timeout: 15_000 });
  return stdout;
}

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string; silencedBy: string[]; inhibitedBy: string[] };
  receivers: Array<{ name: string }>;
  endsAt: string;
}

interface AmSilence {
  id: string;
  matchers: Array<{ name: string; value: string; isRegex: boolean }>;
  createdBy: string;
  comment: string;
  status: { state: string };
}

async function startQuietVigil(extra = ''): Promise<VigilApp> {
  const dir = tempDir();
  const yaml = `
server: { listen: 127.0.0.1:0, logLevel: silent }
storage: { dir: ${join(dir, 'data')} }
detect: { enabled: false }
${extra}`;
  return startVigil(parseConfig(yaml, 'vigil.yaml'), createLogger('silent'));
}

test('amtool queries alerts, adds, queries and expires silences on Vigil', { skip: skipUnless(AMTOOL), timeout: 60_000 }, async () => {
  const app = await startQuietVigil();
  try {
    const res = await fetch(`${app.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { labels: { alertname: 'DiskFull', service: 'orders-db', severity: 'critical' }, annotations: { summary: 'disk 97% full' } },
        { labels: { alertname: 'SlowRequests', service: 'checkout', severity: 'warning' }, annotations: { summary: 'p95 over 2s' } },
      ]),
    });
    assert.equal(res.status, 200);

    const all = JSON.parse(await amtool(app.url, 'alert', 'query', '-o', 'json')) as AmAlert[];
    assert.deepEqual(all.map((a) => a.labels.alertname).sort(), ['DiskFull', 'SlowRequests']);
    const disk = all.find((a) => a.labels.alertname === 'DiskFull')!;
    assert.equal(disk.status.state, 'active');
    assert.deepEqual(disk.receivers.map((r) => r.name).sort(), ['pagerduty', 'slack']);
    assert.equal(disk.annotations.summary, 'disk 97% full');

    // Matchers on the command line are a server-side filter, as against Alertmanager.
    const slow = JSON.parse(await amtool(app.url, 'alert', 'query', 'alertname=SlowRequests', '-o', 'json')) as AmAlert[];
    assert.deepEqual(slow.map((a) => a.labels.alertname), ['SlowRequests']);
    assert.equal(slow[0]!.labels.severity, 'medium', "Alertmanager's warning is Vigil's medium");
    const simple = await amtool(app.url, 'alert', 'query', 'service=~"orders.*"');
    assert.match(simple, /DiskFull/);
    assert.doesNotMatch(simple, /SlowRequests/);

    const id = (await amtool(app.url, 'silence', 'add', 'alertname=SlowRequests', '--comment=deploying checkout', '--author=alice', '--duration=1h')).trim();
    assert.match(id, /^[0-9a-f-]{36}$/);
    const silences = JSON.parse(await amtool(app.url, 'silence', 'query', '-o', 'json')) as AmSilence[];
    assert.equal(silences.length, 1);
    assert.equal(silences[0]!.id, id);
    assert.equal(silences[0]!.createdBy, 'alice');
    assert.equal(silences[0]!.comment, 'deploying checkout');
    assert.deepEqual(silences[0]!.matchers.map((m) => [m.name, m.value, m.isRegex]), [['alertname', 'SlowRequests', false]]);
    assert.equal((await amtool(app.url, 'silence', 'query', '-q', 'alertname=SlowRequests')).trim(), id);
    assert.equal((await amtool(app.url, 'silence', 'query', '-q', 'alertname=DiskFull')).trim(), '');

    // A silenced alert is hidden by default and shown with --silenced, marked suppressed.
    const unsilenced = JSON.parse(await amtool(app.url, 'alert', 'query', '-o', 'json')) as AmAlert[];
    assert.deepEqual(unsilenced.map((a) => a.labels.alertname), ['DiskFull']);
    const withSilenced = JSON.parse(await amtool(app.url, 'alert', 'query', '--silenced', '-o', 'json')) as AmAlert[];
    const muted = withSilenced.find((a) => a.labels.alertname === 'SlowRequests')!;
    assert.equal(muted.status.state, 'suppressed');
    assert.deepEqual(muted.status.silencedBy, [id]);

    await amtool(app.url, 'silence', 'expire', id);
    assert.equal((await amtool(app.url, 'silence', 'query', '-q')).trim(), '');
    const expired = JSON.parse(await amtool(app.url, 'silence', 'query', '--expired', '-o', 'json')) as AmSilence[];
    assert.deepEqual(expired.map((s) => [s.id, s.status.state]), [[id, 'expired']]);
    const back = JSON.parse(await amtool(app.url, 'alert', 'query', '-o', 'json')) as AmAlert[];
    assert.deepEqual(back.map((a) => a.labels.alertname).sort(), ['DiskFull', 'SlowRequests']);

    // A bad filter is a 400 naming the parameter, which amtool reports as an error.
    const bad = await fetch(`${app.url}/api/v2/alerts?filter=${encodeURIComponent('alertname=~"("')}`);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /receiver|filter/);
  } finally {
    await app.close();
  }
});

test("Vigil's alertmanager channel delivers routed alerts to a real Alertmanager", { skip: skipUnless(ALERTMANAGER), timeout: 60_000 }, async () => {
  const procs = new Procs();
  const dir = tempDir();
  writeFileSync(join(dir, 'alertmanager.yml'), 'route: { receiver: blackhole }\nreceivers: [{ name: blackhole }]\n');
  const port = await freePort();
  let err = '';
  const am = procs.add(
    spawn(
      ALERTMANAGER,
      [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'am')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    ),
  );
  am.stderr!.setEncoding('utf8');
  am.stderr!.on('data', (d: string) => (err = (err + d).slice(-4000)));
  const amUrl = `http://127.0.0.1:${port}`;
  let app: VigilApp | undefined;
  try {
    await waitFor('Alertmanager to be ready', 20_000, async () => {
      if (am.exitCode !== null) throw new Error(`alertmanager exited with ${am.exitCode}: ${err}`);
      return (await fetch(`${amUrl}/-/ready`)).ok ? true : undefined;
    });
    app = await startQuietVigil(`
notify:
  outbox: { retryBase: 100ms }
  channels:
    - { name: team-am, type: alertmanager, url: "${amUrl}" }
# The alert-group path: incident-level notifications (the default) are tested in test/app/incident-notify-default.test.ts.
incidents: { notifyPerIncident: false }
routing:
  route: { receiver: am, group_by: [service], group_wait: 0s, group_interval: 1s }
  receivers: [{ name: am, channels: [team-am] }]
`);
    const res = await fetch(`${app.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { labels: { alertname: 'QueueBacklog', service: 'events', queue: 'orders', severity: 'high' }, annotations: { summary: 'orders queue backlog' } },
        { labels: { alertname: 'QueueBacklog', service: 'events', queue: 'emails', severity: 'high' }, annotations: { summary: 'emails queue backlog' } },
      ]),
    });
    assert.equal(res.status, 200);
    const received = await waitFor('the alerts in Alertmanager', 20_000, async () => {
      const list = (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as AmAlert[];
      return list.length === 2 ? list : undefined;
    });
    const byQueue = new Map(received.map((a) => [a.labels.queue, a]));
    assert.deepEqual([...byQueue.keys()].sort(), ['emails', 'orders']);
    const orders = byQueue.get('orders')!;
    assert.equal(orders.labels.alertname, 'QueueBacklog');
    assert.equal(orders.labels.service, 'events');
    assert.equal(orders.labels.severity, 'high');
    assert.equal(orders.annotations.summary, 'orders queue backlog');
    assert.ok(orders.annotations.vigil_dedup_key, 'the group key travels as an annotation');
    assert.equal(orders.status.state, 'active');
    assert.equal(app.outbox!.stats().channels['team-am']?.delivered, 1, 'one group, one notification');
  } finally {
    await app?.close();
    await procs.killAll();
  }
});
