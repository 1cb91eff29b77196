import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AckLinkError, AckLinks, signAckToken, verifyAckToken } from '../../src/api/ack-links.js';
import { startVigil } from '../../src/app/vigil-app.js';
import { parseConfig } from '../../src/config/load.js';
import { redactConfig } from '../../src/config/redact.js';
import { createLogger } from '../../src/api/logger.js';
import { Receiver } from '../notify/helpers.js';
import { tempDir } from '../helpers/vigil-process.js';
import { waitFor } from '../helpers/wait-for.js';

const SECRET = 'an-ack-link-secret-for-tests';
const NOW = 1_700_000_000_000;

function rejects(fn: () => unknown, reason: 'invalid' | 'expired'): void {
  assert.throws(fn, (e: unknown) => e instanceof AckLinkError && e.reason === reason);
}

test('ack tokens round-trip, are compact, and refuse tampering, other secrets and expiry', () => {
  const token = signAckToken(SECRET, { kind: 'group', key: 'a1b2c3d4e5f60718' }, NOW + 3_600_000);
  assert.match(token, /^[A-Za-z0-9_-]+$/);
  assert.ok(token.length <= 80, `token is ${token.length} characters`);
  assert.deepEqual(verifyAckToken(SECRET, token, NOW), { kind: 'group', key: 'a1b2c3d4e5f60718', expiresAt: NOW + 3_600_000 });
  const alert = signAckToken(SECRET, { kind: 'alert', key: 'ffff0000ffff0000' }, NOW + 1000);
  assert.equal(verifyAckToken(SECRET, alert, NOW).kind, 'alert');

  rejects(() => verifyAckToken('another-secret-of-16+chars', token, NOW), 'invalid');
  rejects(() => verifyAckToken(SECRET, token, NOW + 3_600_000), 'expired');
  rejects(() => verifyAckToken(SECRET, token.slice(0, -1), NOW), 'invalid');
  rejects(() => verifyAckToken(SECRET, token + 'A', NOW), 'invalid');
  rejects(() => verifyAckToken(SECRET, '', NOW), 'invalid');
  rejects(() => verifyAckToken(SECRET, 'not a token!', NOW), 'invalid');
  // Every single-byte change (key, kind, expiry or MAC) is refused.
  const raw = Buffer.from(token, 'base64url');
  for (let i = 0; i < raw.length; i++) {
    const t = Buffer.from(raw);
    t[i]! ^= 0x01;
    rejects(() => verifyAckToken(SECRET, t.toString('base64url'), NOW), 'invalid');
  }
  // A later expiry cannot be spliced in: the expiry is signed.
  const later = Buffer.from(raw);
  later.writeUInt32BE(later.readUInt32BE(2) + 86_400, 2);
  rejects(() => verifyAckToken(SECRET, later.toString('base64url'), NOW), 'invalid');

  const links = new AckLinks({ secret: SECRET, baseUrl: () => 'https://vigil.example.com/', ttlMs: 60_000, now: () => NOW });
  const url = links.url({ kind: 'group', key: 'k1' });
  assert.match(url, /^https:\/\/vigil\.example\.com\/ack\/[A-Za-z0-9_-]+$/);
  assert.equal(links.verify(url.split('/ack/')[1]!).expiresAt, NOW + 60_000);
  assert.ok(!JSON.stringify(links).includes(SECRET), 'the secret does not serialise');
  assert.throws(() => new AckLinks({ secret: 'short', baseUrl: () => '', ttlMs: 1 }), /at least 16/);
});

test('server.ackLinkSecret is validated and redacted', () => {
  const c = parseConfig(`server:\n  ackLinkSecret: ${SECRET}\n  externalUrl: https://vigil.example.com/\n  ackLinkTtl: 1h\n`, 'vigil.yaml', {});
  assert.equal(c.server.ackLinkSecret, SECRET);
  assert.equal(c.server.externalUrl, 'https://vigil.example.com');
  assert.equal(c.server.ackLinkTtlMs, 3_600_000);
  assert.equal(redactConfig(c).server.ackLinkSecret, '<redacted>');
  assert.throws(() => parseConfig('server:\n  ackLinkSecret: short\n', 'vigil.yaml', {}), /vigil\.yaml:2:\d+: server\.ackLinkSecret: use at least 16 characters/);
  assert.throws(() => parseConfig('server:\n  externalUrl: vigil.example.com\n', 'vigil.yaml', {}), /server\.externalUrl: expected an http/);
  assert.equal(parseConfig('server:\n  ackLinkSecret: ${VIGIL_ACK_SECRET}\n', 'vigil.yaml', { VIGIL_ACK_SECRET: SECRET }).server.ackLinkSecret, SECRET);
});

interface ApiAlert {
  fingerprint: string;
  labels: Record<string, string>;
  state: string;
  ack?: { by: string; comment?: string };
}

test('a firing group notification carries a signed ack link: GET only shows it, POST acknowledges the group', { timeout: 60_000 }, async () => {
  const receiver = await Receiver.start(() => ({ status: 200 }));
  const dir = tempDir();
  const yaml = `
server: { listen: 127.0.0.1:0, logLevel: silent, externalUrl: 'https://vigil.example.com', ackLinkSecret: '${SECRET}' }
storage: { dir: ${join(dir, 'data')} }
detect: { enabled: false }
notify:
  outbox: { retryBase: 100ms }
  channels:
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
  route: { receiver: hook, group_by: [alertname], group_wait: 1s, group_interval: 1s }
  receivers:
    - { name: hook, channels: [hook] }
`;
  const app = await startVigil(parseConfig(yaml, 'vigil.yaml', {}), createLogger('silent'));
  try {
    const now = Date.now();
    const write = await fetch(`${app.url}/api/v1/samples`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        series: [
          { labels: { __name__: 'queue_depth', queue: 'orders' }, samples: [[now - 1000, 450]] },
          { labels: { __name__: 'queue_depth', queue: 'billing' }, samples: [[now - 1000, 300]] },
        ],
      }),
    });
    assert.equal(write.status, 200);
    const firing = await waitFor('both alerts in one firing notification', () =>
      receiver.requests.find((r) => (r.json as { kind?: string; alerts?: unknown[] })?.kind === 'firing' && (r.json as { alerts: unknown[] }).alerts.length === 2),
    );
    const body = firing.json as { links: { vigil: string; ack?: string } };
    assert.equal(body.links.vigil, 'https://vigil.example.com/api/v1/alerts');
    assert.match(body.links.ack ?? '', /^https:\/\/vigil\.example\.com\/ack\/[A-Za-z0-9_-]+$/);
    assert.ok(!JSON.stringify(receiver.requests.map((r) => r.raw)).includes(SECRET), 'the secret is never sent');
    const ackPath = new URL(body.links.ack!).pathname;

    const alerts = async () => ((await (await fetch(`${app.url}/api/v1/alerts?state=firing`)).json()) as { data: ApiAlert[] }).data;

    // GET (what a mail scanner does) shows the alerts and a form, and acknowledges nothing.
    const get = await fetch(`${app.url}${ackPath}`);
    assert.equal(get.status, 200);
    assert.match(get.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(get.headers.get('cache-control'), 'no-store');
    const html = await get.text();
    assert.match(html, /<form method="post">/);
    assert.match(html, /Acknowledge these 2 alerts/);
    assert.match(html, /queue=&quot;orders&quot;/);
    assert.ok(!html.includes(SECRET));
    assert.equal((await alerts()).filter((a) => a.ack).length, 0, 'a GET does not acknowledge');

    // Tampered and expired links: 403 with a page that says why, and nothing acknowledged.
    const token = ackPath.split('/').pop()!;
    const tampered = token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11);
    const bad = await fetch(`${app.url}/ack/${tampered}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'by=mallory' });
    assert.equal(bad.status, 403);
    assert.match(await bad.text(), /not valid/);
    const groupKey = verifyAckToken(SECRET, token).key;
    const expired = signAckToken(SECRET, { kind: 'group', key: groupKey }, Date.now() - 1000);
    const old = await fetch(`${app.url}/ack/${expired}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'by=mallory' });
    assert.equal(old.status, 403);
    assert.match(await old.text(), /expired/);
    assert.equal((await fetch(`${app.url}/ack/${expired}`)).status, 403);
    assert.equal((await alerts()).filter((a) => a.ack).length, 0);

    // POST (the form) acknowledges every alert of the group, by the name given.
    const post = await fetch(`${app.url}${ackPath}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'by=carol&comment=looking+into+it' });
    assert.equal(post.status, 200);
    const result = await post.text();
    assert.match(result, /Acknowledged by carol/);
    assert.equal(result.match(/<strong>acknowledged<\/strong>/g)?.length, 2);
    const acked = await alerts();
    assert.equal(acked.length, 2);
    for (const a of acked) assert.deepEqual(a.ack && { by: a.ack.by, comment: a.ack.comment }, { by: 'carol', comment: 'looking into it' });

    // Again: nothing new, and the first acknowledgement is kept. Without a name, "link".
    const again = await fetch(`${app.url}${ackPath}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    assert.match(await again.text(), /already acknowledged by carol/);
    assert.ok((await alerts()).every((a) => a.ack?.by === 'carol'));
  } finally {
    await app.close();
    await receiver.close();
  }
});

test('without server.ackLinkSecret there are no ack links and no /ack route', { timeout: 30_000 }, async () => {
  const dir = tempDir();
  const app = await startVigil(parseConfig(`server: { listen: 127.0.0.1:0, logLevel: silent }\nstorage: { dir: ${join(dir, 'data')} }\ndetect: { enabled: false }\n`, 'vigil.yaml', {}), createLogger('silent'));
  try {
    const token = signAckToken(SECRET, { kind: 'group', key: 'x' }, Date.now() + 60_000);
    assert.equal((await fetch(`${app.url}/ack/${token}`)).status, 404);
  } finally {
    await app.close();
  }
});
