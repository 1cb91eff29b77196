import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActionHandlers } from '../../../src/remediate/handlers/index.js';

test('createActionHandlers: one handler per step type, each with a schema', () => {
  const handlers = createActionHandlers({ commandAllowList: ['/usr/bin/systemctl'] });
  assert.deepEqual([...handlers.keys()].sort(), ['airflow', 'command', 'http', 'kubernetes', 'notify', 'scale_webhook']);
  for (const [type, h] of handlers) {
    assert.equal(h.type, type);
    assert.equal(typeof h.schema.safeParse, 'function');
  }
  // A step's parameters are checked when the runbook loads.
  assert.equal(handlers.get('kubernetes')!.schema.safeParse({ action: 'scale', namespace: 'shop', name: 'web', replicas: 2 }).success, true);
  assert.equal(handlers.get('http')!.schema.safeParse({ url: 'https://x', timeout: '5s' }).success, true);
  assert.equal(handlers.get('http')!.schema.safeParse({ url: 'https://x', timeout: 5 }).success, false, 'a duration needs a unit');
});
