import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startVigil } from '../../src/app/vigil-app.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/api/logger.js';
import { Receiver } from '../notify/helpers.js';
import { tempDir } from '../helpers/vigil-process.js';
import { runVigil as runCli } from '../helpers/cli-run.js';
import { waitFor } from '../helpers/wait-for.js';

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const getJson = async <T>(url: string) => (await (await fetch(url)).json()) as T;

interface Exec {
  id: string;
  state: string;
  rule: string;
  reason: string;
  trigger: { incidentId?: string };
}

/**
 * A running Vigil: an alert opens an incident; the automation rule asks for
 * approval through the routed notification (a real receiver gets the signed
 * links); a person approves through the link; the runbook calls the
 * operator's API (a real HTTP server); the incident timeline shows the
 * actions; the audit log verifies, from the API and from the data directory.
 */
test('incident to approved remediation, end to end, with signed approval links and the audit trail', { timeout: 90_000 }, async () => {
  const receiver = await Receiver.start(() => ({ status: 200 }));
  const dir = tempDir();
  const yaml = `
server: { listen: 127.0.0.1:0, logLevel: silent, ackLinkSecret: "0123456789abcdef0123" }
storage: { dir: ${join(dir, 'data')} }
detect: { enabled: false }
notify:
  outbox: { retryBase: 100ms }
  channels:
    - { name: pager, type: webhook, url: "${receiver.url}/pager" }
rules:
  - { name: HighMemory, type: threshold, severity: high, selector: memory_used_ratio, op: '>', value: 0.9 }
ruleEvaluation: { evaluationInterval: 1s }
routing:
  route: { receiver: pager, group_wait: 1s, group_interval: 1s }
  receivers:
    - { name: pager, channels: [pager] }
incidents: { notifyPerIncident: true, notifyDelay: 1s }
services:
  - { name: cart, type: application }
remediation:
  runbooks:
    - name: restart-service
      steps:
        - { id: restart, action: { type: http, method: POST, url: "${receiver.url}/ops/services/{{ service }}/restart", body: { incident: "{{ incident.id }}" } } }
  rules:
    - name: restart-on-memory
      dryRun: false
      approval: true
      trigger: { incident: { minSeverity: high, settle: 1s } }
      runbook: restart-service
`;
  const app = await startVigil(parseConfig(yaml, 'vigil.yaml'), createLogger('silent'));
  try {
    const now = Date.now();
    assert.equal((await post(`${app.url}/api/v1/samples`, { series: [{ labels: { __name__: 'memory_used_ratio', service: 'cart' }, samples: [[now - 500, 0.97]] }] })).status, 200);
    // The engine ticks every 5 s; the incident settles after 1 s.
    const pending = await waitFor('an execution waiting for approval', async () => (await getJson<{ data: Exec[] }>(`${app.url}/api/v1/remediation/executions?state=pending_approval`)).data[0]);
    assert.equal(pending.rule, 'restart-on-memory');
    const ask = await waitFor('the approval request notification', () => receiver.requests.find((r) => r.path === '/pager' && JSON.stringify(r.json).includes('Approval needed')));
    const approveLink = /Approve: (\S+)/.exec(JSON.stringify(ask.json).replace(/\\n/g, '\n'))?.[1];
    assert.ok(approveLink?.startsWith(`${app.url}/approve/`), 'a signed approval link in the message');
    assert.equal(receiver.requests.filter((r) => r.path.startsWith('/ops/')).length, 0, 'nothing runs before approval');
    // GET only shows the plan; POST decides.
    const page = await (await fetch(approveLink!)).text();
    assert.match(page, /Approve restart-on-memory\?/);
    assert.match(page, /restart: POST .*\/ops\/services\/cart\/restart/);
    const tampered = approveLink!.slice(0, -3) + (approveLink!.endsWith('A') ? 'BBB' : 'AAA');
    assert.equal((await fetch(tampered, { method: 'POST', body: new URLSearchParams({ decision: 'approve', by: 'mallory' }) })).status, 403);
    const decided = await fetch(approveLink!, { method: 'POST', body: new URLSearchParams({ decision: 'approve', by: 'alice', comment: 'go ahead' }) });
    assert.equal(decided.status, 200);
    assert.match(await decided.text(), /Approved by alice/);

    const call = await waitFor('the restart call', () => receiver.requests.find((r) => r.path === '/ops/services/cart/restart'));
    assert.deepEqual(call.json, { incident: pending.trigger.incidentId });
    const done = await waitFor('the execution to finish', async () => {
      const e = (await getJson<{ data: Exec & { audit: Array<{ kind: string; actor: string }> } }>(`${app.url}/api/v1/remediation/executions/${pending.id}`)).data;
      return e.state === 'succeeded' ? e : undefined;
    });
    assert.deepEqual(
      done.audit.map((a) => `${a.kind}:${a.actor}`),
      ['matched:vigil', 'approval_requested:vigil', 'approved:alice (link)', 'started:vigil', 'step:vigil', 'finished:vigil'],
    );
    // The incident's timeline shows what was done.
    const inc = (await getJson<{ data: { timeline: Array<{ kind: string; text: string }> } }>(`${app.url}/api/v1/incidents/${pending.trigger.incidentId}`)).data;
    const actions = inc.timeline.filter((t) => t.kind === 'action').map((t) => t.text);
    assert.equal(actions.length, 3);
    assert.match(actions[0]!, /approval requested/);
    assert.match(actions[2]!, /remediation succeeded: restart-on-memory/);

    // The kill switch through the API, then the audit chain from the API and (below) from the data directory.
    assert.equal((await post(`${app.url}/api/v1/remediation/kill-switch`, { on: true, by: 'bob', reason: 'freeze' })).status, 200);
    assert.equal((await post(`${app.url}/api/v1/remediation/kill-switch`, { on: 'yes', by: 'bob' })).status, 400);
    const verified = await getJson<{ data: { ok: boolean; entries: number } }>(`${app.url}/api/v1/remediation/audit/verify`);
    assert.equal(verified.data.ok, true);
    assert.ok(verified.data.entries >= 7);
    const cli = await runCli(['remediation', 'list', '--url', app.url]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`${pending.id}\\s+succeeded\\s+restart-on-memory`));
    assert.equal((await post(`${app.url}/api/v1/remediation/executions/nope/approve`, { by: 'x' })).status, 404);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    assert.match(metrics, /vigil_remediation_executions\{state="succeeded",guard=""\} 1/);
    assert.match(metrics, /vigil_remediation_kill_switch 1/);
  } finally {
    await app.close();
    await receiver.close();
  }
  const verify = await runCli(['audit', 'verify', '--data-dir', join(dir, 'data')]);
  assert.equal(verify.code, 0, verify.stderr);
  assert.match(verify.stdout, /audit log intact: \d+ entries/);
});
