import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  AlertmanagerChannel,
  PagerDutyChannel,
  SlackChannel,
  WebhookChannel,
  buildNotification,
  verifyWebhookSignature,
  type Notification,
} from '../../src/notify/index.js';
import { Receiver, alert } from './helpers.js';
import { alertmanagerSpec, check, pagerDutyFollowUpSpec, pagerDutyTriggerSpec, slackMessageSpec, vigilWebhookSpec } from './specs.js';

let rx: Receiver;
before(async () => {
  rx = await Receiver.start();
});
after(() => rx.close());

const signal = () => AbortSignal.timeout(5000);
const links = { vigil: 'https://vigil.example.com/alerts/g1', ack: 'https://vigil.example.com/ack/g1?sig=abc' };

function group(kind: Notification['kind'] = 'firing', channel = 'c'): Notification {
  const alerts = [alert({ severity: 'high' }), alert({ severity: 'critical', labels: { alertname: 'HighErrorRate', service: 'checkout', instance: 'host-9:9100', env: 'prod' } })];
  return buildNotification({
    channel,
    kind,
    alerts,
    links,
    annotations: { recommended_actions: ['Check the last deploy', 'Roll back if the error rate keeps rising'] },
  });
}

test('buildNotification: most severe severity, common labels, annotations from the alerts, stable group key', () => {
  const n = group();
  assert.equal(n.severity, 'critical');
  assert.deepEqual(n.labels, { alertname: 'HighErrorRate', service: 'checkout', env: 'prod' });
  assert.equal(n.title, 'Checkout error rate above 5%');
  assert.equal(n.annotations.runbook_url, 'https://runbooks.example.com/checkout-errors');
  assert.deepEqual(n.annotations.recommended_actions, ['Check the last deploy', 'Roll back if the error rate keeps rising']);
  assert.match(n.summary, /^2 alerts \(2 firing, 0 resolved\) for checkout/);
  const again = buildNotification({ channel: 'c', kind: 'resolved', alerts: [...n.alerts].reverse() });
  assert.equal(again.dedupKey, n.dedupKey, 'the same group gives the same dedup key in any order');
  assert.notEqual(again.id, n.id);
  assert.throws(() => buildNotification({ channel: 'c', kind: 'firing', alerts: [] }), RangeError);
});

test('slack: Block Kit message with header, fields, context, link buttons, colour bar and fallback text', async () => {
  rx.respond = () => ({ status: 200, body: 'ok', headers: { 'content-type': 'text/plain' } });
  const ch = new SlackChannel({ name: 'ops-slack', webhookUrl: `${rx.url}/services/T000/B000/XXXXSECRET` });
  const n = group();
  const start = rx.requests.length;
  assert.deepEqual(await ch.send(n, signal()), { status: 'delivered', detail: 'HTTP 200' });
  const req = rx.requests[start]!;
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/services/T000/B000/XXXXSECRET');
  assert.match(String(req.headers['content-type']), /^application\/json/);
  const msg = check(slackMessageSpec, req.json, 'Slack message');
  assert.deepEqual(msg.blocks.map((b) => b.type), ['header', 'section', 'section', 'context', 'actions']);
  const header = msg.blocks[0] as { text: { text: string } };
  assert.equal(header.text.text, '[FIRING] Checkout error rate above 5%');
  const fields = (msg.blocks[1] as { fields: Array<{ text: string }> }).fields.map((f) => f.text);
  assert.ok(fields.includes('*Severity*\nCritical'));
  assert.ok(fields.includes('*Service*\ncheckout'));
  assert.ok(fields.some((f) => f.startsWith('*Labels*') && f.includes('env=prod')));
  const buttons = (msg.blocks[4] as { elements: Array<{ url: string; text: { text: string } }> }).elements;
  assert.deepEqual(
    buttons.map((b) => [b.text.text, b.url]),
    [
      ['Open in Vigil', links.vigil],
      ['Acknowledge', links.ack],
      ['Runbook', 'https://runbooks.example.com/checkout-errors'],
    ],
  );
  assert.equal(msg.attachments![0]!.color, '#d00000');
  assert.match(msg.text, /^\[FIRING\] CRITICAL: Checkout error rate above 5%/);

  // Colour per severity; no Acknowledge button once resolved; limits hold for long text.
  const colours: Record<string, string> = { critical: '#d00000', high: '#e85d04', medium: '#f4a261', low: '#2a9d8f', info: '#8d99ae' };
  for (const [severity, color] of Object.entries(colours)) {
    const m = buildNotification({ channel: 'c', kind: 'resolved', alerts: [alert({ severity: severity as Notification['severity'] })], links, title: 'x'.repeat(400), summary: 'y'.repeat(5000) });
    assert.equal((await ch.send(m, signal())).status, 'delivered');
    const body = check(slackMessageSpec, rx.requests.at(-1)!.json, `Slack message (${severity})`);
    assert.equal(body.attachments![0]!.color, color);
    const acts = body.blocks.find((b) => b.type === 'actions') as { elements: Array<{ text: { text: string } }> };
    assert.ok(!acts.elements.some((e) => e.text.text === 'Acknowledge'));
  }
  assert.deepEqual(ch.describe(), { name: 'ops-slack', type: 'slack', webhookUrl: `${rx.url}/<redacted>` });
});

test('pagerduty: trigger, acknowledge and resolve share one dedup_key; payload matches Events API v2', async () => {
  rx.respond = (r) => ({ status: 202, body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: (r.json as { dedup_key: string }).dedup_key }) });
  const routingKey = 'R0UT1NGKEY0123456789abcdefABCDEF';
  const ch = new PagerDutyChannel({ name: 'oncall', routingKey, url: `${rx.url}/v2/enqueue` });
  const start = rx.requests.length;
  const firing = group('firing');
  assert.equal((await ch.send(firing, signal())).status, 'delivered');
  const ev = check(pagerDutyTriggerSpec, rx.requests[start]!.json, 'PagerDuty trigger');
  assert.equal(rx.requests[start]!.path, '/v2/enqueue');
  assert.equal(ev.routing_key, routingKey);
  assert.equal(ev.dedup_key, firing.dedupKey);
  assert.equal(ev.payload.severity, 'critical');
  assert.equal(ev.payload.group, 'checkout');
  assert.equal(ev.payload.class, 'HighErrorRate');
  assert.equal(ev.client, 'Vigil');
  assert.equal(ev.client_url, links.vigil);
  assert.deepEqual(ev.links?.map((l) => l.href), [links.vigil, links.ack, 'https://runbooks.example.com/checkout-errors']);
  assert.equal((ev.payload.custom_details as { vigil_notification_id: string }).vigil_notification_id, firing.id);

  for (const kind of ['acknowledged', 'resolved'] as const) {
    const n = buildNotification({ channel: 'c', kind, alerts: firing.alerts, dedupKey: firing.dedupKey });
    assert.equal((await ch.send(n, signal())).status, 'delivered');
    const f = check(pagerDutyFollowUpSpec, rx.requests.at(-1)!.json, `PagerDuty ${kind}`);
    assert.equal(f.event_action, kind === 'acknowledged' ? 'acknowledge' : 'resolve');
    assert.equal(f.dedup_key, firing.dedupKey);
  }

  // Severity mapping and the 1024-character summary limit.
  const expected = { critical: 'critical', high: 'error', medium: 'warning', low: 'warning', info: 'info' } as const;
  for (const [sev, pd] of Object.entries(expected)) {
    const n = buildNotification({ channel: 'c', kind: 'firing', alerts: [alert({ severity: sev as Notification['severity'] })], title: 'T'.repeat(3000) });
    await ch.send(n, signal());
    const e = check(pagerDutyTriggerSpec, rx.requests.at(-1)!.json, 'PagerDuty trigger');
    assert.equal(e.payload.severity, pd);
    assert.equal(e.payload.summary.length, 1024);
  }
  // A very long group key still fits dedup_key's 255 characters, stably.
  const long = buildNotification({ channel: 'c', kind: 'firing', alerts: [alert()], dedupKey: 'k'.repeat(600) });
  await ch.send(long, signal());
  const k1 = (rx.requests.at(-1)!.json as { dedup_key: string }).dedup_key;
  await ch.send(long, signal());
  assert.equal((rx.requests.at(-1)!.json as { dedup_key: string }).dedup_key, k1);
  assert.ok(k1.length <= 255);
});

test('pagerduty: 400 is permanent, 429 and 5xx are retryable with Retry-After; errors never quote the routing key', async () => {
  const routingKey = 'SECRETROUTINGKEY0000000000000000';
  const ch = new PagerDutyChannel({ name: 'oncall', routingKey, url: `${rx.url}/v2/enqueue` });
  rx.respond = () => ({ status: 400, body: JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors: [`routing_key ${routingKey} is not valid`] }) });
  const bad = await ch.send(group(), signal());
  assert.equal(bad.status, 'failed');
  assert.ok(bad.status === 'failed' && !bad.error.includes(routingKey) && bad.error.includes('<redacted>') && bad.error.startsWith('oncall: '), JSON.stringify(bad));
  rx.respond = () => ({ status: 429, headers: { 'retry-after': '7' }, body: '{}' });
  assert.deepEqual(await ch.send(group(), signal()), { status: 'retry', error: 'oncall: receiver answered HTTP 429: {}', retryAfterMs: 7000 });
  rx.respond = () => ({ status: 503, body: '' });
  assert.equal((await ch.send(group(), signal())).status, 'retry');
  rx.respond = () => ({ status: 408, body: '' });
  assert.equal((await ch.send(group(), signal())).status, 'retry');
  rx.respond = () => ({ status: 404, body: '' });
  assert.equal((await ch.send(group(), signal())).status, 'failed');
  assert.equal(JSON.stringify(ch.describe()).includes(routingKey), false);
});

test('webhook: versioned body, HMAC-SHA256 over timestamp and raw body, delivery id, custom headers', async () => {
  rx.respond = () => ({ status: 204 });
  const secret = 'whsec-0123456789abcdef';
  const ch = new WebhookChannel({ name: 'hook', url: `${rx.url}/hooks/vigil?token=abc123`, secret, headers: { Authorization: 'Bearer tok-999', 'X-Team': 'sre' } });
  const n = group('escalated');
  const start = rx.requests.length;
  assert.equal((await ch.send(n, signal())).status, 'delivered');
  const req = rx.requests[start]!;
  const body = check(vigilWebhookSpec, req.json, 'Vigil webhook');
  assert.equal(body.id, n.id);
  assert.equal(body.kind, 'escalated');
  assert.equal(req.headers['x-vigil-delivery-id'], n.id);
  assert.equal(req.headers['x-vigil-event'], 'escalated');
  assert.equal(req.headers.authorization, 'Bearer tok-999');
  assert.equal(req.headers['x-team'], 'sre');
  const ts = req.headers['x-vigil-timestamp'] as string;
  const sig = req.headers['x-vigil-signature'] as string;
  assert.match(sig, /^sha256=[0-9a-f]{64}$/);
  assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 5);
  assert.equal(verifyWebhookSignature(secret, { timestamp: ts, signature: sig }, req.raw), true);
  // Any change to body, timestamp or key breaks it; an old timestamp is refused.
  assert.equal(verifyWebhookSignature(secret, { timestamp: ts, signature: sig }, req.raw.replace('escalated', 'resolved')), false);
  assert.equal(verifyWebhookSignature(secret, { timestamp: String(Number(ts) + 1), signature: sig }, req.raw), false);
  assert.equal(verifyWebhookSignature('another-secret-xxxxxx', { timestamp: ts, signature: sig }, req.raw), false);
  assert.equal(verifyWebhookSignature(secret, { timestamp: ts, signature: sig }, req.raw, { now: (Number(ts) + 301) * 1000 }), false);
  // The exact scheme, recomputed independently.
  const { createHmac } = await import('node:crypto');
  assert.equal(sig, 'sha256=' + createHmac('sha256', secret).update(`${ts}.${req.raw}`).digest('hex'));

  const shown = JSON.stringify(ch.describe());
  for (const s of [secret, 'tok-999', 'abc123', '/hooks/vigil']) assert.ok(!shown.includes(s), `describe() leaks ${s}: ${shown}`);
  assert.throws(() => new WebhookChannel({ name: 'x', url: rx.url, headers: { 'X-Vigil-Signature': 'forged' } }), /set by Vigil/);
});

test('alertmanager: postableAlerts with labels, annotations, startsAt, generatorURL; resolved alerts end in the past', async () => {
  rx.respond = () => ({ status: 200, body: '' });
  const ch = new AlertmanagerChannel({ name: 'am', url: `${rx.url}/prefix/` });
  const n = group('firing');
  const start = rx.requests.length;
  assert.equal((await ch.send(n, signal())).status, 'delivered');
  const req = rx.requests[start]!;
  assert.equal(req.path, '/prefix/api/v2/alerts');
  const alerts = check(alertmanagerSpec, req.json, 'Alertmanager postAlerts');
  assert.equal(alerts.length, 2);
  for (const a of alerts) {
    assert.equal(a.endsAt, undefined, 'a firing alert has no endsAt');
    assert.equal(a.generatorURL, links.vigil);
    assert.equal(a.labels.alertname, 'HighErrorRate');
    assert.ok(a.labels.severity);
    assert.equal(a.annotations!.vigil_notification_id, n.id);
    assert.equal(a.startsAt, '2023-11-14T22:13:20.000Z');
  }
  const sentAt = Date.now();
  const resolved = buildNotification({ channel: 'c', kind: 'resolved', alerts: n.alerts.map((a) => ({ ...a, state: 'resolved' as const, endsAt: Date.now() + 3600_000 })) });
  await ch.send(resolved, signal());
  for (const a of check(alertmanagerSpec, rx.requests.at(-1)!.json, 'Alertmanager postAlerts')) assert.ok(Date.parse(a.endsAt!) <= sentAt + 50, 'endsAt is not in the future');
  const ttl = new AlertmanagerChannel({ name: 'am2', url: rx.url, firingEndsAfterMs: 600_000 });
  await ttl.send(n, signal());
  for (const a of check(alertmanagerSpec, rx.requests.at(-1)!.json, 'Alertmanager postAlerts')) assert.ok(Date.parse(a.endsAt!) > Date.now() + 500_000);
});

test('network failures are retryable and name the channel, never the URL', async () => {
  const dead = await Receiver.start();
  const deadUrl = dead.url;
  await dead.close();
  const secretPath = '/services/T999/B999/ZZZZTOPSECRET';
  const ch = new SlackChannel({ name: 'ops-slack', webhookUrl: deadUrl + secretPath });
  const r = await ch.send(group(), signal());
  assert.equal(r.status, 'retry');
  assert.ok(r.status === 'retry' && r.error.startsWith('ops-slack: request failed: ECONNREFUSED'), JSON.stringify(r));
  assert.ok(!JSON.stringify(r).includes('TOPSECRET'));
  // A hanging receiver: the attempt ends when its signal does.
  rx.respond = () => ({ status: 200, hang: true });
  const hook = new WebhookChannel({ name: 'slowhook', url: `${rx.url}/hang` });
  const t0 = Date.now();
  const h = await hook.send(group(), AbortSignal.timeout(200));
  assert.deepEqual(h, { status: 'retry', error: 'slowhook: timed out' });
  assert.ok(Date.now() - t0 < 2000);
  // Redirects are not followed (they would carry the body elsewhere).
  rx.respond = () => ({ status: 307, headers: { location: 'http://evil.example.com/' } });
  assert.equal((await hook.send(group(), signal())).status, 'failed');
});

test('backoff is full jitter under an exponential cap; Retry-After takes seconds or an HTTP date', async () => {
  const { backoffDelay, parseRetryAfter } = await import('../../src/notify/index.js');
  assert.deepEqual([1, 2, 3, 4, 20].map((a) => backoffDelay(a, 1000, 300_000, () => 0.999999)), [999, 1999, 3999, 7999, 299_999]);
  assert.equal(backoffDelay(5, 1000, 300_000, () => 0), 0);
  for (let i = 0; i < 100; i++) {
    const d = backoffDelay(3, 1000, 300_000);
    assert.ok(d >= 0 && d < 4000);
  }
  assert.equal(parseRetryAfter('120'), 120_000);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6_000);
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter(null), undefined);
});
