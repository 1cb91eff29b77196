import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Outbox, WebhookChannel } from '../../src/notify/index.js';
import { Receiver, tempDir } from './helpers.js';

/**
 * At-least-once across kill -9: a process enqueues notifications and is killed
 * mid-delivery; a new outbox on the same directory delivers every one. Only the
 * sends in flight at the kill may be repeated, and a repeat carries the same id.
 */
test('kill -9 mid-delivery: a new outbox on the same directory delivers every notification', { timeout: 60_000 }, async (t) => {
  const N = 30;
  const rx = await Receiver.start(() => ({ status: 200, delayMs: 150 }));
  const dir = tempDir();
  const child = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/crash-child.js', import.meta.url)), dir, rx.url, String(N)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('enqueued') && resolve());
    child.on('exit', () => reject(new Error('child exited early')));
  });
  await rx.waitFor(7, 20_000);
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  const firstPhase = rx.requests.length;
  assert.ok(firstPhase < N, `killed mid-delivery (${firstPhase} of ${N} sent)`);
  const seenBeforeKill = new Set(rx.requests.map((r) => r.headers['x-vigil-delivery-id'] as string));

  rx.respond = () => ({ status: 200 });
  const outbox = new Outbox({ dir, channels: [new WebhookChannel({ name: 'hook', url: rx.url, concurrency: 2 })], retryBaseMs: 50 });
  try {
    outbox.start();
    await outbox.drained({ timeoutMs: 20_000 });
    const stats = outbox.stats().channels.hook!;
    assert.equal(stats.delivered, N);
    assert.equal(stats.failed + stats.queued + stats.sending, 0);

    const counts = new Map<string, number>();
    for (const r of rx.requests) {
      const id = r.headers['x-vigil-delivery-id'] as string;
      assert.equal((r.json as { id: string }).id, id, 'the delivery id header and the body agree');
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (let i = 0; i < N; i++) assert.ok(counts.has(`n-${i}`), `n-${i} was lost`);
    const dupes = [...counts].filter(([, c]) => c > 1).map(([id]) => id);
    assert.ok(dupes.length <= 2, `only the in-flight sends (concurrency 2) may repeat, got ${dupes.join(', ')}`);
    t.diagnostic(`sent before the kill: ${firstPhase}; repeated after restart: ${dupes.join(', ') || 'none'}`);
    for (const id of dupes) {
      assert.ok(seenBeforeKill.has(id), `${id} repeated but was not in flight at the kill`);
      assert.equal(counts.get(id), 2);
    }
  } finally {
    await outbox.close();
    await rx.close();
  }
});
