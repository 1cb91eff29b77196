import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from 'yaml';
import { redactConfig } from '../../src/config/index.js';
import { createChannels, notifySchema, type NotifyConfig } from '../../src/notify/index.js';

const yaml = `
outbox:
  timeout: 5s
  retryBase: 2s
  maxAttempts: 6
channels:
  - name: ops-slack
    type: slack
    webhookUrl: https://hooks.slack.com/services/T0/B0/xyz
    timeout: 3s
  - name: oncall
    type: pagerduty
    routingKey: R0UT1NG0000000000000000000000000
  - name: mail
    type: email
    smtp: { host: smtp.example.com, port: 587, auth: { user: vigil, password: hunter2 } }
    from: Vigil <vigil@example.com>
    to: oncall@example.com
  - name: hook
    type: webhook
    url: https://hooks.example.com/vigil
    secret: 0123456789abcdef0123
    headers: { Authorization: Bearer x }
  - name: am
    type: alertmanager
    url: http://alertmanager:9093
    firingEndsAfter: 10m
`;

const parse = (text: string) => notifySchema.safeParse(parseDocument(text).toJS());

test('notify config: defaults, durations in ms, one adapter per channel', () => {
  const r = parse(yaml);
  assert.ok(r.success, JSON.stringify(r.error?.issues));
  const c: NotifyConfig = r.data;
  assert.deepEqual(c.outbox, { dir: undefined, concurrency: 4, timeoutMs: 5000, retryBaseMs: 2000, retryCapMs: 300_000, maxAttempts: 6, maxAgeMs: 86_400_000, maxRetryAfterMs: 3_600_000, retentionMs: 604_800_000 });
  assert.deepEqual(c.channels[0], { type: 'slack', name: 'ops-slack', webhookUrl: 'https://hooks.slack.com/services/T0/B0/xyz', timeoutMs: 3000 });
  const email = c.channels[2]!;
  assert.ok(email.type === 'email');
  assert.deepEqual(email.to, ['oncall@example.com'], 'a single address is a list of one');
  const am = c.channels[4]!;
  assert.ok(am.type === 'alertmanager' && am.firingEndsAfterMs === 600_000);
  const channels = createChannels(c.channels);
  assert.deepEqual(channels.map((ch) => ch.type), ['slack', 'pagerduty', 'email', 'webhook', 'alertmanager']);
  assert.equal(channels[0]!.timeoutMs, 3000);
  const described = JSON.stringify(channels.map((ch) => ch.describe()));
  for (const secret of ['T0/B0/xyz', 'R0UT1NG', 'hunter2', '0123456789abcdef0123', 'Bearer x']) assert.ok(!described.includes(secret), `describe() shows ${secret}`);
  // The generic config redaction hides the same secrets by key name.
  const shown = JSON.stringify(redactConfig(c));
  for (const secret of ['T0/B0/xyz', 'R0UT1NG', 'hunter2', '0123456789abcdef0123']) assert.ok(!shown.includes(secret), `redactConfig shows ${secret}`);
  assert.deepEqual(parse('').data, { outbox: c.outbox && { ...c.outbox, timeoutMs: 10_000, retryBaseMs: 1000, maxAttempts: 10 }, channels: [] });
});

test('notify config: errors point at the field', () => {
  const issues = (text: string) => {
    const r = parse(text);
    assert.equal(r.success, false);
    return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  assert.deepEqual(issues('channels:\n  - { name: x, type: sms }'), ['channels.0.type: type must be one of slack, pagerduty, email, webhook, alertmanager']);
  assert.deepEqual(issues('channels:\n  - { name: a, type: slack, webhookUrl: "https://h/1" }\n  - { name: a, type: slack, webhookUrl: "https://h/2" }'), ['channels.1.name: duplicate channel name "a"']);
  assert.match(issues('channels:\n  - { name: a, type: slack, webhookUrl: "ftp://h/1" }')[0]!, /^channels\.0\.webhookUrl: expected an http/);
  assert.match(issues('channels:\n  - { name: a, type: slack, webhookUrl: "https://h/1", channel: "#ops" }')[0]!, /channel/);
  assert.match(issues('channels:\n  - { name: h, type: webhook, url: "https://h/", headers: { X-Vigil-Signature: x } }')[0]!, /^channels\.0\.headers\.X-Vigil-Signature: this header is set by Vigil/);
  assert.match(issues('channels:\n  - { name: h, type: webhook, url: "https://h/", secret: short }')[0]!, /^channels\.0\.secret: use at least 16/);
  assert.match(issues('channels:\n  - { name: m, type: email, smtp: { host: x }, from: nobody, to: [] }').join('\n'), /channels\.0\.from: expected an e-mail address[\s\S]*channels\.0\.to: at least one recipient/);
  assert.match(issues('outbox: { timeout: 5 }')[0]!, /^outbox\.timeout: .*unit is required/);
  assert.deepEqual(issues('outbox: { retryBase: 10m, retryCap: 1m }'), ['outbox.retryCap: retryCap must not be smaller than retryBase']);
});
