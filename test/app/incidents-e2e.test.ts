import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startVigil } from '../../src/app/vigil-app.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/api/logger.js';
import { Receiver } from '../notify/helpers.js';
import { tempDir } from '../helpers/vigil-process.js';
import { waitFor } from '../helpers/wait-for.js';

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/**
 * A running Vigil: three services of one stack alert together; they become
 * one incident, which pages a real HTTP receiver once (not once per alert),
 * and is acknowledged, labelled and resolved through the API.
 */
test('related alerts become one incident, paged once, managed through the API', { timeout: 60_000 }, async () => {
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
rules:
  - name: HighLatency
    type: threshold
    severity: high
    selector: latency_seconds
    op: '>'
    value: 1
ruleEvaluation: { evaluationInterval: 1s }
routing:
  route: { receiver: pager, group_by: [service], group_wait: 1s, group_interval: 1s }
  receivers:
    - { name: pager, channels: [pager] }
incidents: { notifyPerIncident: true, notifyDelay: 2s }
services:
  - { name: db, type: database, criticality: critical }
  - { name: api, type: application, dependsOn: [db] }
  - { name: web, type: web, dependsOn: [api] }
  - { name: billing, type: application }
`;
  const app = await startVigil(parseConfig(yaml, 'vigil.yaml'), createLogger('silent'));
  try {
    const now = Date.now();
    const series = ['db', 'api', 'web'].map((service) => ({ labels: { __name__: 'latency_seconds', service }, samples: [[now - 1000, 3]] }));
    assert.equal((await post(`${app.url}/api/v1/samples`, { series })).status, 200);

    const listed = await waitFor('an incident with three alerts', async () => {
      const r = (await (await fetch(`${app.url}/api/v1/incidents`)).json()) as { data: Array<{ id: string; alerts: number; services: string[] }> };
      return r.data.find((i) => i.alerts === 3);
    });
    assert.deepEqual([...listed.services].sort(), ['api', 'db', 'web']);

    // One page for the incident; the three alert groups (one per service) are not sent on their own.
    const page = await waitFor('the incident page', () => receiver.requests.find((r) => r.path === '/pager'));
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(receiver.requests.filter((r) => r.path === '/pager').length, 1, 'exactly one notification');
    const body = page.json as { kind: string; title: string; severity: string; alerts: unknown[]; links: { vigil: string } };
    assert.equal(body.kind, 'firing');
    assert.equal(body.alerts.length, 3);
    assert.equal(body.severity, 'critical', 'high alerts, raised by three services and a critical database');
    assert.match(body.title, /^db .*3 services affected/);
    assert.ok(body.links.vigil.endsWith(`/api/v1/incidents/${listed.id}`));

    const shown = (await (await fetch(`${app.url}/api/v1/incidents/${listed.id}`)).json()) as {
      data: { state: string; rootCauses: Array<{ service: string; evidence: { path: string[] } }>; timeline: Array<{ kind: string }>; similar: unknown[]; classification: { method: string; type: string } };
    };
    assert.equal(shown.data.rootCauses[0]!.service, 'db');
    assert.ok(shown.data.timeline.filter((e) => e.kind === 'joined').length >= 3);
    assert.equal(shown.data.classification.method, 'rules');
    assert.deepEqual(shown.data.similar, []);

    // Bad requests name the field.
    const noBy = await post(`${app.url}/api/v1/incidents/${listed.id}/ack`, {});
    assert.equal(noBy.status, 400);
    assert.match(((await noBy.json()) as { error: string }).error, /^by: /);
    assert.equal((await post(`${app.url}/api/v1/incidents/nope/ack`, { by: 'a' })).status, 404);
    assert.equal((await post(`${app.url}/api/v1/incidents/${listed.id}/root-cause`, { by: 'a', service: 'db', type: 'meltdown' })).status, 400);

    assert.equal((await post(`${app.url}/api/v1/incidents/${listed.id}/ack`, { by: 'alice', comment: 'on it' })).status, 200);
    const ackNote = await waitFor('the acknowledged notification', () => receiver.requests.find((r) => (r.json as { kind: string }).kind === 'acknowledged'));
    assert.match((ackNote.json as { summary: string }).summary, /^Acknowledged by alice: on it\./);
    assert.equal((await post(`${app.url}/api/v1/incidents/${listed.id}/root-cause`, { by: 'alice', service: 'db', type: 'resource_exhaustion' })).status, 200);
    const resolved = await post(`${app.url}/api/v1/incidents/${listed.id}/resolve`, { by: 'alice', note: 'vacuumed the orders table' });
    assert.equal(resolved.status, 200);
    const done = (await resolved.json()) as { data: { state: string; resolution: { note: string }; label: { service: string } } };
    assert.equal(done.data.state, 'resolved');
    assert.equal(done.data.label.service, 'db');
    // Resolving notifies once more (resolved), with the same dedup key; three notifications in all.
    const closing = await waitFor('the resolved notification', () => receiver.requests.find((r) => (r.json as { kind: string }).kind === 'resolved'));
    assert.equal((closing.json as { dedupKey: string }).dedupKey, (page.json as { dedupKey: string }).dedupKey);
    assert.equal((await post(`${app.url}/api/v1/incidents/${listed.id}/resolve`, { by: 'alice', note: 'again' })).status, 409);
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(receiver.requests.map((r) => (r.json as { kind: string }).kind), ['firing', 'acknowledged', 'resolved']);
    // The alerts still fire, but they stay with the resolved incident: no new incident, no new page.
    const all = (await (await fetch(`${app.url}/api/v1/incidents`)).json()) as { data: unknown[] };
    assert.equal(all.data.length, 1);
  } finally {
    await app.close();
    await receiver.close();
  }
});
