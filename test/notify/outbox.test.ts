import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { Outbox, PagerDutyChannel, SlackChannel, WebhookChannel, buildNotification, type DeliveryResult, type OutboxRecord } from '../../src/notify/index.js';
import { Receiver, alert, sleep, tempDir } from './helpers.js';

const fast = { retryBaseMs: 50, retryCapMs: 2000, random: () => 1 } as const;

test('500, 500, 202: delivered on the third attempt, with growing delays, and the outbox shows it', async () => {
  const rx = await Receiver.start((_r, i) => (i < 2 ? { status: 500, body: 'oops' } : { status: 202, body: '{"status":"success"}' }));
  const dir = tempDir();
  const attempts: Array<[OutboxRecord, DeliveryResult]> = [];
  const outbox = new Outbox({ dir, channels: [new PagerDutyChannel({ name: 'pd', routingKey: 'rk-123456', url: rx.url })], ...fast, retryBaseMs: 200, onAttempt: (r, res) => attempts.push([r, res]) });
  try {
    const n = buildNotification({ channel: 'pd', kind: 'firing', alerts: [alert()] });
    assert.equal(outbox.enqueue(n), true);
    assert.equal(outbox.enqueue(n), false, 'enqueueing is idempotent by id');
    assert.equal(outbox.get(n.id)!.state, 'queued', 'stored before any send attempt');
    outbox.start();
    await outbox.drained({ timeoutMs: 10_000 });
    const rec = outbox.get(n.id)!;
    assert.equal(rec.state, 'delivered');
    assert.equal(rec.attempts, 3);
    assert.ok(rec.deliveredAt);
    assert.match(rec.lastError!, /^pd: receiver answered HTTP 500: oops$/);
    assert.equal(rx.requests.length, 3);
    const gap1 = rx.requests[1]!.at - rx.requests[0]!.at;
    const gap2 = rx.requests[2]!.at - rx.requests[1]!.at;
    // Jitter pinned to its maximum: the delays are base * 2^(n-1) = 200 ms, then 400 ms.
    assert.ok(gap1 >= 195, `first retry after ${gap1} ms (base 200)`);
    // Lower bounds only: a loaded machine can delay a timer, never make it early.
    assert.ok(gap2 >= 395, `delays grow: ${gap1} ms then ${gap2} ms`);
    assert.deepEqual(attempts.map(([r, res]) => [r.attempts, r.state, res.status]), [
      [1, 'queued', 'retry'],
      [2, 'queued', 'retry'],
      [3, 'delivered', 'delivered'],
    ]);
    const dedup = new Set(rx.requests.map((r) => (r.json as { dedup_key: string }).dedup_key));
    assert.deepEqual([...dedup], [n.dedupKey], 'every attempt carries the same dedup_key');
    assert.deepEqual(outbox.stats().channels.pd, { queued: 0, sending: 0, delivered: 1, failed: 0, oldestQueuedAt: null });
  } finally {
    await outbox.close();
    await rx.close();
  }
});

test('400: failed permanently after one attempt, never retried', async () => {
  const rx = await Receiver.start(() => ({ status: 400, body: '{"status":"invalid event","message":"Event object is invalid"}' }));
  const outbox = new Outbox({ dir: tempDir(), channels: [new PagerDutyChannel({ name: 'pd', routingKey: 'rk-123456', url: rx.url })], ...fast });
  try {
    const n = buildNotification({ channel: 'pd', kind: 'firing', alerts: [alert()] });
    outbox.enqueue(n);
    outbox.start();
    await outbox.drained();
    await sleep(300);
    assert.equal(rx.requests.length, 1);
    const rec = outbox.get(n.id)!;
    assert.equal(rec.state, 'failed');
    assert.equal(rec.attempts, 1);
    assert.match(rec.lastError!, /^pd: receiver answered HTTP 400: .*Event object is invalid/);
    assert.deepEqual(outbox.list({ state: 'failed' }).map((r) => r.id), [n.id]);
    assert.equal(outbox.stats().total.failed, 1);
    // An operator can retry a failed one by hand.
    rx.respond = () => ({ status: 202, body: '{}' });
    assert.equal(outbox.retryFailed(n.id), true);
    await outbox.drained();
    assert.equal(outbox.get(n.id)!.state, 'delivered');
  } finally {
    await outbox.close();
    await rx.close();
  }
});

test('retryable failures stop at maxAttempts; Retry-After is honoured', async () => {
  const rx = await Receiver.start((_r, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 503 }));
  const outbox = new Outbox({ dir: tempDir(), channels: [new SlackChannel({ name: 's', webhookUrl: `${rx.url}/services/x` })], ...fast, maxAttempts: 3 });
  try {
    const n = buildNotification({ channel: 's', kind: 'firing', alerts: [alert()] });
    outbox.enqueue(n);
    outbox.start();
    await outbox.drained({ timeoutMs: 10_000 });
    assert.equal(rx.requests.length, 3);
    assert.ok(rx.requests[1]!.at - rx.requests[0]!.at >= 950, 'waited for Retry-After: 1');
    const rec = outbox.get(n.id)!;
    assert.equal(rec.state, 'failed');
    assert.match(rec.lastError!, /^gave up after 3 attempts: s: receiver answered HTTP 503/);
  } finally {
    await outbox.close();
    await rx.close();
  }
});

test('a hanging channel times out and retries while another channel keeps delivering', async () => {
  const hang = await Receiver.start(() => ({ status: 200, hang: true }));
  const ok = await Receiver.start(() => ({ status: 200, body: 'ok' }));
  const outbox = new Outbox({
    dir: tempDir(),
    channels: [new WebhookChannel({ name: 'stuck', url: hang.url, timeoutMs: 800, concurrency: 2 }), new SlackChannel({ name: 'fine', webhookUrl: `${ok.url}/services/y` })],
    ...fast,
    maxAttempts: 2,
  });
  try {
    const stuck = Array.from({ length: 4 }, () => buildNotification({ channel: 'stuck', kind: 'firing', alerts: [alert()] }));
    for (const n of stuck) outbox.enqueue(n);
    outbox.start();
    await hang.waitFor(2);
    const t0 = Date.now();
    const good = Array.from({ length: 10 }, () => buildNotification({ channel: 'fine', kind: 'firing', alerts: [alert()] }));
    for (const n of good) outbox.enqueue(n);
    await ok.waitFor(10, 5000);
    assert.ok(Date.now() - t0 < 700, `the healthy channel delivered in ${Date.now() - t0} ms while the other hung`);
    assert.equal(hang.requests.length, 2, 'the stuck sends were still hanging meanwhile');
    for (const n of good) {
      for (let i = 0; i < 50 && outbox.get(n.id)!.state !== 'delivered'; i++) await sleep(10);
      assert.equal(outbox.get(n.id)!.state, 'delivered');
    }
    assert.ok(outbox.list({ channel: 'stuck', state: 'sending' }).length <= 2, 'concurrency per channel is bounded');
    await outbox.drained({ timeoutMs: 10_000 });
    for (const n of stuck) {
      const r = outbox.get(n.id)!;
      assert.equal(r.state, 'failed');
      assert.equal(r.attempts, 2);
      assert.equal(r.lastError, 'gave up after 2 attempts: stuck: timed out');
    }
    assert.equal(hang.requests.length, 8, 'each stuck notification was tried twice');
    const ids = hang.requests.map((r) => r.headers['x-vigil-delivery-id']);
    for (const n of stuck) assert.equal(ids.filter((x) => x === n.id).length, 2, 'a retry carries the same delivery id');
  } finally {
    await outbox.close();
    await hang.close();
    await ok.close();
  }
});

test('stop() aborts sends in flight and queues them again without counting the attempt; start() resumes', async () => {
  const rx = await Receiver.start(() => ({ status: 200, hang: true }));
  const dir = tempDir();
  const channels = () => [new WebhookChannel({ name: 'w', url: rx.url, timeoutMs: 60_000 })];
  let outbox = new Outbox({ dir, channels: channels(), ...fast });
  const n = buildNotification({ channel: 'w', kind: 'firing', alerts: [alert()] });
  outbox.enqueue(n);
  outbox.start();
  await rx.waitFor(1);
  assert.equal(outbox.get(n.id)!.state, 'sending');
  await outbox.close();
  const db = new Database(join(dir, 'notify.db'), { readonly: true });
  assert.deepEqual(db.prepare('SELECT state, attempts FROM outbox WHERE id = ?').get(n.id), { state: 'queued', attempts: 0 });
  db.close();
  rx.respond = () => ({ status: 200 });
  outbox = new Outbox({ dir, channels: channels(), ...fast });
  try {
    outbox.start();
    await outbox.drained();
    assert.equal(outbox.get(n.id)!.state, 'delivered');
    assert.equal(outbox.get(n.id)!.attempts, 1);
    assert.deepEqual(outbox.notification(n.id), n, 'the stored notification is the one enqueued');
  } finally {
    await outbox.close();
    await rx.close();
  }
});

test('unknown channels are refused at enqueue; duplicate channel names at construction; describe() hides secrets', async () => {
  const dir = tempDir();
  assert.throws(() => new Outbox({ dir, channels: [new SlackChannel({ name: 'a', webhookUrl: 'https://hooks.slack.com/services/1' }), new SlackChannel({ name: 'a', webhookUrl: 'https://hooks.slack.com/services/2' })] }), /defined twice/);
  const outbox = new Outbox({ dir, channels: [new SlackChannel({ name: 'a', webhookUrl: 'https://hooks.slack.com/services/T1/B1/SECRET' })] });
  try {
    assert.throws(() => outbox.enqueue(buildNotification({ channel: 'nope', kind: 'test', alerts: [alert()] })), /no notification channel named "nope"/);
    assert.deepEqual(outbox.channels(), [{ name: 'a', type: 'slack', webhookUrl: 'https://hooks.slack.com/<redacted>' }]);
    assert.equal(outbox.list().length, 0);
  } finally {
    await outbox.close();
  }
});
