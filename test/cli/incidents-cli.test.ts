import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startVigil } from '../../src/app/vigil-app.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/api/logger.js';
import { tempDir } from '../helpers/vigil-process.js';
import { runVigil } from '../helpers/cli-run.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Alerts sent the way Prometheus sends them (Alertmanager API v2) become
 * incidents; `vigil incidents` lists, shows, merges, splits, labels and
 * resolves them on the running server.
 */
test('vigil incidents list/show/merge/split/label/resolve against a running Vigil', { timeout: 90_000 }, async () => {
  const dir = tempDir();
  const yaml = `
server: { listen: 127.0.0.1:0, logLevel: silent }
storage: { dir: ${join(dir, 'data')} }
detect: { enabled: false }
services:
  - { name: db, type: database }
  - { name: api, type: application, dependsOn: [db] }
  - { name: billing, type: application }
`;
  const app = await startVigil(parseConfig(yaml, 'vigil.yaml'), createLogger('silent'));
  const url = ['--url', app.url];
  try {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const alerts = [
      { labels: { alertname: 'DbSlow', service: 'db', severity: 'critical' }, annotations: {}, startsAt },
      { labels: { alertname: 'ApiLatency', service: 'api', severity: 'warning' }, annotations: {}, startsAt },
      { labels: { alertname: 'BillingErrors', service: 'billing', severity: 'warning' }, annotations: {}, startsAt },
    ];
    const r = await fetch(`${app.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
    assert.equal(r.status, 200);
    const list = await waitFor('two incidents', async () => {
      const res = await runVigil(['incidents', 'list', '--json', ...url]);
      const rows = JSON.parse(res.stdout) as Array<{ id: string; services: string[]; alerts: number }>;
      return rows.length === 2 && rows.every((x) => x.alerts >= 1) && rows.reduce((n, x) => n + x.alerts, 0) === 3 ? rows : undefined;
    });
    const main = list.find((i) => i.services.includes('db'))!;
    const billing = list.find((i) => i.services.includes('billing'))!;
    assert.deepEqual([...main.services].sort(), ['api', 'db']);

    const table = await runVigil(['incidents', 'list', ...url]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^ID\s+STATE\s+SEVERITY/);
    assert.match(table.stdout, new RegExp(`${main.id}\\s+open\\s+critical`));

    const show = await runVigil(['incidents', 'show', main.id, ...url]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /root causes:\n\s+[\d.]+\s+db/);
    assert.match(show.stdout, /timeline:/);

    const merged = await runVigil(['incidents', 'merge', main.id, billing.id, '--by', 'alice', ...url]);
    assert.equal(merged.code, 0, merged.stderr);
    assert.match(merged.stdout, /3 members/);
    const split = await runVigil(['incidents', 'split', main.id, `alert:${(await memberRef(app.url, main.id, 'billing'))}`, '--by', 'alice', ...url]);
    assert.equal(split.code, 0, split.stderr);
    assert.match(split.stdout, /moved 1 members to new incident inc-/);

    const label = await runVigil(['incidents', 'label', main.id, '--root-cause', 'db', '--type', 'resource_exhaustion', '--by', 'alice', ...url]);
    assert.equal(label.code, 0, label.stderr);
    const badType = await runVigil(['incidents', 'label', main.id, '--root-cause', 'db', '--type', 'gremlins', '--by', 'alice', ...url]);
    assert.equal(badType.code, 2);
    assert.match(badType.stderr, /--type: expected one of/);

    const resolved = await runVigil(['incidents', 'resolve', main.id, '--by', 'alice', '--note', 'added an index', ...url]);
    assert.equal(resolved.code, 0, resolved.stderr);
    const again = await runVigil(['incidents', 'resolve', main.id, '--by', 'alice', '--note', 'again', ...url]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /is resolved \(HTTP 409\)/);
    const done = await runVigil(['incidents', 'list', '--state', 'resolved', '--json', ...url]);
    assert.ok((JSON.parse(done.stdout) as Array<{ id: string }>).some((i) => i.id === main.id));
  } finally {
    await app.close();
  }
});

async function memberRef(base: string, id: string, service: string): Promise<string> {
  const r = (await (await fetch(`${base}/api/v1/incidents/${id}`)).json()) as { data: { members: Array<{ ref: string; service?: string }> } };
  return r.data.members.find((m) => m.service === service)!.ref;
}
