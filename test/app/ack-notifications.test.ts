import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startVigil, type VigilApp } from '../../src/app/vigil-app.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/api/logger.js';
import { Receiver, type Recorded } from '../notify/helpers.js';
import { check, pagerDutyFollowUpSpec, pagerDutyTriggerSpec, slackMessageSpec, vigilWebhookSpec } from '../notify/specs.js';
import { tempDir } from '../helpers/vigil-process.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Acknowledging an alert updates the channels that notified it: PagerDuty gets
 * an `acknowledge` event with the group's dedup_key, Slack a follow-up message,
 * a webhook a notification with status "acknowledged". Real HTTP receivers
 * record exactly what each API would receive.
 */

async function start(receiver: Receiver): Promise<VigilApp> {
  const dir = tempDir();
  const yaml = `
server: { listen: 127.0.0.1:0, logLevel: silent, ackLinkSecret: a-secret-of-some-length }
storage: { dir: ${join(dir, 'data')} }
detect: { enabled: false }
notify:
  outbox: { retryBase: 100ms }
  channels:
    - { name: pd, type: pagerduty, routingKey: R0UT1NGKEY0000000000000000000000, url: "${receiver.url}/v2/enqueue" }
    - { name: chat, type: slack, webhookUrl: "${receiver.url}/services/T0/B0/X0" }
    - { name: hook, type: webhook, url: "${receiver.url}/hook" }
rules:
  - name: QueueBacklog
    type: threshold
    severity: high
    selector: queue_depth
    op: '>'
    value: 100
ruleEvaluation: { evaluationInterval: 1s }
# The alert-group path: incident-level notifications (the default) are tested in test/app/incident-notify-default.test.ts.
incidents: { notifyPerIncident: false }
routing:
  route: { receiver: everyone, group_by: [alertname], group_wait: 0s, group_interval: 500ms }
  receivers: [{ name: everyone, channels: [pd, chat, hook] }]
`;
  return startVigil(parseConfig(yaml, 'vigil.yaml'), createLogger('silent'));
}

async function writeDepth(app: VigilApp, queues: Record<string, number>): Promise<void> {
  const t = Date.now() - 500;
  const res = await fetch(`${app.url}/api/v1/samples`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ series: Object.entries(queues).map(([queue, v]) => ({ labels: { __name__: 'queue_depth', queue }, samples: [[t, v]] })) }),
  });
  assert.equal(res.status, 200);
}

async function firingFingerprints(app: VigilApp): Promise<string[]> {
  const body = (await (await fetch(`${app.url}/api/v1/alerts?state=firing`)).json()) as { data: Array<{ fingerprint: string }> };
  return body.data.map((a) => a.fingerprint);
}

const byPath = (r: Receiver, prefix: string): Recorded[] => r.requests.filter((q) => q.path.startsWith(prefix));

test('an API acknowledgement updates PagerDuty, Slack and the webhook that notified the alert', { timeout: 60_000 }, async () => {
  const receiver = await Receiver.start(() => ({ status: 202, body: '{"status":"success"}' }));
  const app = await start(receiver).catch(async (e: unknown) => {
    await receiver.close();
    throw e;
  });
  try {
    await writeDepth(app, { orders: 450 });
    await waitFor('three firing notifications', () => byPath(receiver, '/v2/').length >= 1 && byPath(receiver, '/services/').length >= 1 && byPath(receiver, '/hook').length >= 1);
    const trigger = check(pagerDutyTriggerSpec, byPath(receiver, '/v2/')[0]!.json, 'PagerDuty trigger');
    const [fp] = await waitFor('the firing alert', async () => ((await firingFingerprints(app)).length === 1 ? firingFingerprints(app) : undefined));

    const ack = await fetch(`${app.url}/api/v1/alerts/${fp}/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ by: 'alice', comment: 'draining the queue' }) });
    assert.equal(ack.status, 200);
    await waitFor('the acknowledgement updates', () => byPath(receiver, '/v2/').length >= 2 && byPath(receiver, '/services/').length >= 2 && byPath(receiver, '/hook').length >= 2);

    const pdAck = check(pagerDutyFollowUpSpec, byPath(receiver, '/v2/')[1]!.json, 'PagerDuty acknowledge');
    assert.equal(pdAck.event_action, 'acknowledge');
    assert.equal(pdAck.dedup_key, trigger.dedup_key, 'the same PagerDuty alert is acknowledged');

    const slack = check(slackMessageSpec, byPath(receiver, '/services/')[1]!.json, 'Slack follow-up');
    assert.match(JSON.stringify(slack.blocks[0]), /\[ACKNOWLEDGED\]/);
    assert.match(slack.text, /Acknowledged by alice: draining the queue/);
    assert.doesNotMatch(JSON.stringify(slack.blocks), /vigil_ack/, 'no Acknowledge button on an acknowledged message');

    const hookReq = byPath(receiver, '/hook')[1]!;
    const hook = check(vigilWebhookSpec, hookReq.json, 'webhook');
    assert.equal(hookReq.headers['x-vigil-event'], 'acknowledged');
    assert.equal(hook.kind, 'acknowledged');
    assert.equal(hook.status, 'acknowledged');
    assert.equal(hook.dedupKey, check(vigilWebhookSpec, byPath(receiver, '/hook')[0]!.json, 'webhook').dedupKey);
    assert.equal(hook.alerts[0]!.acknowledged?.by, 'alice');
    assert.equal(hook.alerts[0]!.acknowledged?.comment, 'draining the queue');
    assert.equal(hook.alerts[0]!.state, 'firing', 'acknowledged alerts keep firing');

    // Acknowledging again changes nothing, and an acknowledged group is not repeated.
    await fetch(`${app.url}/api/v1/alerts/${fp}/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ by: 'bob' }) });
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(receiver.requests.length, 6);

    // Resolution still reaches every channel.
    await writeDepth(app, { orders: 3 });
    await waitFor('the resolve event', () => byPath(receiver, '/v2/').find((r) => (r.json as { event_action: string }).event_action === 'resolve'));
  } finally {
    await app.close();
    await receiver.close();
  }
});

test('a group is acknowledged when all its notified alerts are, e.g. through the signed link', { timeout: 60_000 }, async () => {
  const receiver = await Receiver.start(() => ({ status: 202, body: '{"status":"success"}' }));
  const app = await start(receiver).catch(async (e: unknown) => {
    await receiver.close();
    throw e;
  });
  try {
    await writeDepth(app, { orders: 450, emails: 300 });
    const first = await waitFor('one webhook notification for both alerts', () =>
      byPath(receiver, '/hook').find((r) => (r.json as { alerts: unknown[] }).alerts.length === 2),
    );
    const link = (first.json as { links: { ack?: string } }).links.ack;
    assert.ok(link, 'firing notifications carry the signed acknowledgement link');
    const fps = await firingFingerprints(app);
    assert.equal(fps.length, 2);

    // One of two alerts acknowledged: the group is not, so nothing is sent.
    await fetch(`${app.url}/api/v1/alerts/${fps[0]}/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ by: 'alice' }) });
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(byPath(receiver, '/hook').filter((r) => (r.json as { kind: string }).kind === 'acknowledged').length, 0);

    // The link acknowledges the rest of the group: one update per channel.
    const form = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'by=carol&comment=looking' });
    assert.equal(form.status, 200);
    const update = await waitFor('the webhook acknowledgement', () => byPath(receiver, '/hook').find((r) => (r.json as { kind: string }).kind === 'acknowledged'));
    const body = check(vigilWebhookSpec, update.json, 'webhook');
    assert.equal(body.status, 'acknowledged');
    assert.deepEqual(body.alerts.map((a) => a.acknowledged?.by).sort(), ['alice', 'carol']);
    assert.match(body.summary, /Acknowledged by carol: looking/);
    await waitFor('the PagerDuty acknowledge', () => byPath(receiver, '/v2/').find((r) => (r.json as { event_action: string }).event_action === 'acknowledge'));
  } finally {
    await app.close();
    await receiver.close();
  }
});
