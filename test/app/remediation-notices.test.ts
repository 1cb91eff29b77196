import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Dispatcher } from '../../src/alerting/dispatch/index.js';
import { Outbox, createChannels, type NotifyLogger } from '../../src/notify/index.js';
import { parseConfig } from '../../src/config/load.js';
import { remediationNotifier } from '../../src/app/remediation-notices.js';
import { tempDir } from '../helpers/vigil-process.js';

/**
 * Remediation notices go through the outbox like alerts do: routed by their
 * labels to the receivers' channels, or to the channel a notify step names.
 * The outbox is not started: what was enqueued is what it lists.
 */
function setup() {
  const config = parseConfig(
    `
notify:
  channels:
    - { name: pager, type: webhook, url: "http://127.0.0.1:9/pager" }
routing:
  route: { receiver: ops }
  receivers:
    - { name: ops, channels: [pager, pagr] }
`,
    'vigil.yaml',
  );
  const warned: object[] = [];
  const logger: NotifyLogger = { info: () => {}, error: () => {}, warn: (obj) => warned.push(obj) };
  const { dir: _dir, ...outboxOptions } = config.notify.outbox;
  const outbox = new Outbox({ ...outboxOptions, dir: join(tempDir(), 'notify'), channels: createChannels(config.notify.channels) });
  const dispatcher = new Dispatcher({ config: config.routing, notify: () => {} });
  const notify = remediationNotifier({ dispatcher, receivers: config.routing.receivers, outbox, logger, vigilUrl: () => 'http://vigil.test' });
  return { outbox, notify, warned };
}

test('a remediation notice reaches the configured channels of its receivers; a channel that is not configured is reported once', async () => {
  const { outbox, notify, warned } = setup();
  try {
    notify({ title: 'Approval needed: restart-on-memory', text: 'restart cart?', severity: 'high', execution: 'ex-1' });
    notify({ title: 'Remediation succeeded: restart-on-memory', text: 'cart restarted', severity: 'info', execution: 'ex-1' });
    assert.deepEqual(outbox.list().map((r) => `${r.channel} ${r.title}`).sort(), ['pager Approval needed: restart-on-memory', 'pager Remediation succeeded: restart-on-memory']);
    assert.deepEqual(warned, [{ receiver: 'ops', channel: 'pagr' }]);
  } finally {
    await outbox.close();
  }
});

test('a notify step naming a channel that is not configured is reported too, once', async () => {
  const { outbox, notify, warned } = setup();
  try {
    notify({ title: 'Restarted cart', text: 'done', severity: 'info', channel: 'ops-slack' });
    notify({ title: 'Restarted cart again', text: 'done', severity: 'info', channel: 'ops-slack' });
    notify({ title: 'Restarted orders', text: 'done', severity: 'info', channel: 'pager' });
    assert.deepEqual(outbox.list().map((r) => `${r.channel} ${r.title}`), ['pager Restarted orders']);
    assert.deepEqual(warned, [{ receiver: undefined, channel: 'ops-slack' }]);
  } finally {
    await outbox.close();
  }
});
