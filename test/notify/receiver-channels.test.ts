import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Outbox, ReceiverChannels, buildNotification, delivered, type NotificationChannel, type NotifyLogger } from '../../src/notify/index.js';
import { alert, tempDir } from './helpers.js';

const channel = (name: string): NotificationChannel => ({ name, type: 'test', send: async () => delivered(), describe: () => ({ name, type: 'test' }) });

/** A logger that keeps what was warned about. */
function warnings(): NotifyLogger & { warned: object[] } {
  const warned: object[] = [];
  return { warned, info: () => {}, error: () => {}, warn: (obj) => warned.push(obj) };
}

test('a receiver naming a channel that is not configured: the others still get it, and the typo is reported once', async () => {
  const outbox = new Outbox({ dir: tempDir(), channels: [channel('ops-slack'), channel('pager')] });
  const logger = warnings();
  const channels = new ReceiverChannels(outbox, logger);
  try {
    assert.equal(outbox.has('ops-slack'), true);
    assert.equal(outbox.has('ops-slak'), false);
    for (const id of ['g1', 'g2']) channels.enqueue('ops', ['ops-slak', 'ops-slack', 'pager'], (ch) => buildNotification({ channel: ch, kind: 'firing', alerts: [alert()], id: `${id}:${ch}` }));
    assert.deepEqual(outbox.list().map((r) => r.id).sort(), ['g1:ops-slack', 'g1:pager', 'g2:ops-slack', 'g2:pager']);
    assert.deepEqual(logger.warned, [{ receiver: 'ops', channel: 'ops-slak' }]);
  } finally {
    await outbox.close();
  }
});

test('without any notify.channels (no outbox), every channel named is reported once and nothing is built', () => {
  const logger = warnings();
  const channels = new ReceiverChannels(undefined, logger);
  const built: string[] = [];
  const build = (ch: string) => (built.push(ch), buildNotification({ channel: ch, kind: 'firing', alerts: [alert()] }));
  channels.enqueue('ops', ['slack'], build);
  channels.enqueue('oncall', ['slack', 'pager'], build);
  assert.deepEqual(built, []);
  assert.deepEqual(logger.warned, [{ receiver: 'ops', channel: 'slack' }, { receiver: 'oncall', channel: 'pager' }]);
});
