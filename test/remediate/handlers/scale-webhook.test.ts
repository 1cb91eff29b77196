import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { verifyWebhookSignature } from '../../../src/notify/channels/webhook.js';
import { createActionHandlers, scaleWebhookActionSchema } from '../../../src/remediate/handlers/index.js';
import { RecordingServer } from '../../helpers/recording-server.js';
import { actionContext } from './helpers.js';

const SECRET = 'scaler-hmac-key-0f9e8d';
let scaler: RecordingServer;
before(async () => {
  // The receiving side checks the signature as any Vigil webhook receiver does.
  scaler = await RecordingServer.start((req) => {
    const valid = verifyWebhookSignature(SECRET, { timestamp: req.headers['x-vigil-timestamp'] as string, signature: req.headers['x-vigil-signature'] as string }, req.raw);
    return valid ? { status: 202, json: { accepted: true } } : { status: 401, body: 'bad signature' };
  });
});
after(() => scaler.close());

const scale = createActionHandlers({ commandAllowList: [] }).get('scale_webhook')!;
const params = (p: Record<string, unknown>) => scaleWebhookActionSchema.parse(p);
const vars = { incident: { id: 'inc-314' }, labels: { asg: 'web-asg' } };

test('scale_webhook: POSTs { group, delta, reason, incident } signed with HMAC-SHA256', async () => {
  const step = params({ url: `${scaler.url}/scale`, group: '{{ labels.asg }}', delta: 2, reason: 'latency SLO burn ({{ incident.id }})', secretEnv: 'SCALER_KEY' });
  assert.deepEqual(scale.targets(step, vars), ['scale:web-asg']);
  assert.equal(scale.describe(step, vars), `scale group web-asg by 2 through ${scaler.url}/scale`);
  const r = await scale.run(step, actionContext({ vars, env: { SCALER_KEY: SECRET } }));
  assert.equal(r.ok, true, r.output);
  assert.match(r.output, /^asked to scale web-asg by 2 \(HTTP 202\)/);
  assert.deepEqual(r.changed, { group: 'web-asg', delta: 2, status: 202 });
  const req = scaler.last();
  assert.deepEqual(req.json, { group: 'web-asg', delta: 2, reason: 'latency SLO burn (inc-314)', incident: 'inc-314' });
  assert.match(String(req.headers['x-vigil-signature']), /^sha256=[0-9a-f]{64}$/);
  assert.equal(verifyWebhookSignature(SECRET, { timestamp: req.headers['x-vigil-timestamp'] as string, signature: req.headers['x-vigil-signature'] as string }, req.raw), true);
  assert.equal(verifyWebhookSignature('another-key', { timestamp: req.headers['x-vigil-timestamp'] as string, signature: req.headers['x-vigil-signature'] as string }, req.raw), false);
});

test('scale_webhook: desired size from a template; a rejected signature is ok:false', async () => {
  const step = params({ url: `${scaler.url}/scale`, group: 'web-asg', desired: '{{ steps.up.changed.previous }}', secretEnv: 'SCALER_KEY' });
  const r = await scale.run(step, actionContext({ vars: { steps: { up: { changed: { previous: 4 } } } }, env: { SCALER_KEY: 'not-the-right-key' } }));
  assert.equal(r.ok, false);
  assert.equal(r.output, 'scale_webhook: scale web-asg to 4: receiver answered HTTP 401: bad signature');
  assert.deepEqual(scaler.last().json, { group: 'web-asg', desired: 4, reason: 'Vigil remediation', incident: null });
});

test('scale_webhook: a missing signing key or a non-number size is ok:false before sending', async () => {
  const before = scaler.requests.length;
  const noKey = await scale.run(params({ url: scaler.url, group: 'g', delta: 1, secretEnv: 'SCALER_KEY' }), actionContext());
  assert.match(noKey.output, /environment variable SCALER_KEY \(the webhook signing key\) is not set/);
  const notNumber = await scale.run(params({ url: scaler.url, group: 'g', desired: '{{ size }}' }), actionContext({ vars: { size: 'lots' } }));
  assert.match(notNumber.output, /desired: expected a whole number, got "lots"/);
  assert.equal(scaler.requests.length, before);
  assert.equal(scaleWebhookActionSchema.safeParse({ url: 'http://x', group: 'g' }).success, false, 'desired or delta');
});
