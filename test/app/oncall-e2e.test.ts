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
 * On-call without PagerDuty: a firing group pages whoever the schedule has on
 * call, escalates to the secondary when nobody acknowledges, and stops when
 * someone acknowledges through the API.
 */
test('a receiver with an escalation policy pages the on-call person, escalates, and stops on ack', { timeout: 60_000 }, async () => {
  const receiver = await Receiver.start(() => ({ status: 200 }));
  const dir = tempDir();
  const yaml = `
server: { listen: 127.0.0.1:0, logLevel: silent }
storage: { dir: ${join(dir, 'data')} }
detect: { enabled: false }
notify:
  outbox: { retryBase: 100ms }
  channels:
    - { name: alice-hook, type: webhook, url: "${receiver.url}/alice" }
    - { name: bob-hook, type: webhook, url: "${receiver.url}/bob" }
oncall:
  people:
    - { name: alice, channels: [alice-hook] }
    - { name: bob, channels: [bob-hook] }
  schedules:
    - name: primary
      timeZone: Europe/Berlin
      layers: [{ users: [alice], start: 2024-01-01T00:00, rotation: weekly, handoff: monday 09:00 }]
  escalationPolicies:
    - name: default
      steps:
        - { targets: [{ schedule: primary }], delayMinutes: 1 }
        - { targets: [{ person: bob }], delayMinutes: 1 }
      repeat: 1
rules:
  - { name: DiskAlmostFull, type: threshold, severity: critical, selector: disk_used_ratio, op: '>', value: 0.9 }
ruleEvaluation: { evaluationInterval: 1s }
# The alert-group path: incident-level notifications (the default) are tested in test/app/incident-notify-default.test.ts.
incidents: { notifyPerIncident: false }
routing:
  route: { receiver: oncall, group_by: [alertname], group_wait: 1s, group_interval: 1s }
  receivers:
    - { name: oncall, channels: [], escalation_policy: default }
`;
  const app = await startVigil(parseConfig(yaml, 'vigil.yaml'), createLogger('silent'));
  try {
    await fetch(`${app.url}/api/v1/samples`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ series: [{ labels: { __name__: 'disk_used_ratio', host: 'db-1' }, samples: [[Date.now() - 1000, 0.97]] }] }),
    });
    const first = await waitFor('the page to alice', () => receiver.requests.find((r) => r.path === '/alice'));
    assert.equal((first.json as { kind: string }).kind, 'firing');
    assert.ok(!receiver.requests.some((r) => r.path === '/bob'), 'the secondary is not paged yet');

    // Nobody acknowledged within the step's delay: the runner pages the next step.
    app.oncall!.tick(Date.now() + 61_000);
    const second = await waitFor('the escalation to bob', () => receiver.requests.find((r) => r.path === '/bob'));
    assert.equal((second.json as { kind: string }).kind, 'escalated');

    const alerts = (await (await fetch(`${app.url}/api/v1/alerts?state=firing`)).json()) as { data: Array<{ fingerprint: string }> };
    const ack = await fetch(`${app.url}/api/v1/alerts/${alerts.data[0]!.fingerprint}/ack`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ by: 'bob' }),
    });
    assert.equal(ack.status, 200);
    const pages = app.oncall!.list();
    assert.equal(pages.length, 1);
    assert.equal(pages[0]!.state, 'acknowledged');

    const before = receiver.requests.length;
    app.oncall!.tick(Date.now() + 300_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(receiver.requests.length, before, 'an acknowledged page does not repeat');
  } finally {
    await app.close();
    await receiver.close();
  }
});
