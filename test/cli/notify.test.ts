import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Receiver } from '../notify/helpers.js';
import { verifyWebhookSignature } from '../../src/notify/index.js';
import { startVigil } from '../../src/app/vigil-app.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/api/logger.js';
import { VIGIL_BIN, tempDir, writeConfig } from '../helpers/vigil-process.js';

const SECRET = 'a-long-enough-signing-secret';

function run(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [VIGIL_BIN, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('vigil notify test sends one signed test notification to a configured webhook', { timeout: 30_000 }, async () => {
  const receiver = await Receiver.start(() => ({ status: 200 }));
  try {
    const dir = tempDir();
    const config = writeConfig(dir, `notify:\n  channels:\n    - name: hook\n      type: webhook\n      url: \${HOOK_URL}\n      secret: \${HOOK_SECRET}\n`);
    const env = { ...process.env, HOOK_URL: `${receiver.url}/vigil`, HOOK_SECRET: SECRET };
    const ok = await run(['notify', 'test', 'hook', '--config', config], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /hook \(webhook\): test notification delivered/);
    assert.equal(receiver.requests.length, 1);
    const r = receiver.requests[0]!;
    assert.equal(r.path, '/vigil');
    assert.equal((r.json as { kind: string }).kind, 'test');
    assert.ok(verifyWebhookSignature(SECRET, { timestamp: r.headers['x-vigil-timestamp'] as string, signature: r.headers['x-vigil-signature'] as string }, r.raw));
    assert.ok(!ok.stdout.includes(SECRET) && !ok.stdout.includes(receiver.url), 'secrets and URLs are not printed');

    receiver.respond = () => ({ status: 400, body: 'bad' });
    const refused = await run(['notify', 'test', 'hook', '--config', config], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /hook \(webhook\): test notification refused/);
    assert.ok(!refused.stderr.includes(SECRET) && !refused.stderr.includes(receiver.url));

    const unknown = await run(['notify', 'test', 'nope', '--config', config], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no channel named "nope" in notify\.channels \(configured: hook\)/);
  } finally {
    await receiver.close();
  }
});

test('a running Vigil reports outbox state per channel in the API and /metrics', { timeout: 30_000 }, async () => {
  const receiver = await Receiver.start(() => ({ status: 200 }));
  const dir = tempDir();
  const yaml = `server:\n  listen: 127.0.0.1:0\n  logLevel: silent\nstorage:\n  dir: ${join(dir, 'data')}\nnotify:\n  channels:\n    - name: hook\n      type: webhook\n      url: ${receiver.url}/x\n`;
  const app = await startVigil(parseConfig(yaml, 'test.yaml'), createLogger('silent'));
  try {
    const api = (await (await fetch(`${app.url}/api/v1/notifications`)).json()) as { data: { channels: Record<string, { queued: number }> } };
    assert.deepEqual(Object.keys(api.data.channels), ['hook']);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    assert.match(metrics, /^vigil_notifications\{channel="hook",state="delivered"\} 0/m);
    const bad = await fetch(`${app.url}/api/v1/notifications?state=lost`);
    assert.equal(bad.status, 400);
  } finally {
    await app.close();
    await receiver.close();
  }
});
