import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActionHandlers, notifyActionSchema, type Notifier } from '../../../src/remediate/handlers/index.js';
import { actionContext } from './helpers.js';

const vars = { incident: { id: 'inc-5' }, service: 'checkout' };
const params = (p: Record<string, unknown>) => notifyActionSchema.parse(p);

test('notify: sends the rendered title and text through the notifier', async () => {
  const sent: Parameters<Notifier>[0][] = [];
  const notify = createActionHandlers({ commandAllowList: [], notify: async (n) => void sent.push(n) }).get('notify')!;
  const step = params({ title: 'Restarted {{ service }}', text: 'Incident {{ incident.id }}: restarted the pods', severity: 'medium', channel: 'ops-slack' });
  assert.deepEqual(notify.targets(step, vars), []);
  assert.equal(notify.describe(step, vars), 'notify ops-slack (medium): Restarted checkout');
  const r = await notify.run(step, actionContext({ vars }));
  assert.equal(r.ok, true, r.output);
  assert.equal(r.output, 'notified ops-slack: Restarted checkout');
  assert.deepEqual(sent, [{ title: 'Restarted checkout', text: 'Incident inc-5: restarted the pods', severity: 'medium', channel: 'ops-slack' }]);

  await notify.run(params({ title: 'FYI' }), actionContext());
  assert.deepEqual(sent[1], { title: 'FYI', text: '', severity: 'info' });
});

test('notify: refuses clearly without a notifier; a failing notifier is ok:false', async () => {
  const without = createActionHandlers({ commandAllowList: [] }).get('notify')!;
  const r = await without.run(params({ title: 'x' }), actionContext());
  assert.equal(r.ok, false);
  assert.equal(r.output, 'notify: no notifier is configured, so this step cannot send anything');
  assert.match(without.describe(params({ title: 'x' }), {}), /refused: no notifier is configured/);

  const broken = createActionHandlers({ commandAllowList: [], notify: () => Promise.reject(new Error('channel ops-slack is unknown')) }).get('notify')!;
  const b = await broken.run(params({ title: 'x' }), actionContext());
  assert.equal(b.ok, false);
  assert.equal(b.output, 'notify: sending failed: channel ops-slack is unknown');
});

test('notify: stops waiting for a notifier that hangs when the action is aborted', async () => {
  const stuck = createActionHandlers({ commandAllowList: [], notify: () => new Promise(() => undefined) }).get('notify')!;
  const kill = new AbortController();
  setTimeout(() => kill.abort(new Error('kill switch engaged')), 50);
  const r = await stuck.run(params({ title: 'x' }), actionContext({ signal: kill.signal }));
  assert.equal(r.output, 'notify: aborted: kill switch engaged');
});
