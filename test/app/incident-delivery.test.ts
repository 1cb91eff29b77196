import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import pino from 'pino';
import { Dispatcher } from '../../src/alerting/dispatch/index.js';
import { IncidentManager, IncidentStore } from '../../src/incidents/index.js';
import { Outbox, createChannels } from '../../src/notify/index.js';
import { parseConfig } from '../../src/config/load.js';
import { IncidentNotifier } from '../../src/app/incident-delivery.js';
import { IncidentSpread } from '../../src/app/incident-spread.js';
import { MIN, T0, alert, clock, shopGraph } from '../incidents/helpers.js';
import { Receiver } from '../notify/helpers.js';
import { tempDir } from '../helpers/vigil-process.js';

/**
 * The incident stage's notifier in front of a real outbox and a real HTTP
 * receiver, with routing like the default: high and critical page (`pager`),
 * everything goes to chat. The fake clock drives the incident stage; delivery is real.
 */
async function setup() {
  const receiver = await Receiver.start(() => ({ status: 200 }));
  const config = parseConfig(
    `
notify:
  outbox: { retryBase: 100ms }
  channels:
    - { name: pager, type: webhook, url: "${receiver.url}/pager" }
    - { name: chat, type: webhook, url: "${receiver.url}/chat" }
routing:
  route:
    receiver: chat
    routes:
      - { matchers: ['severity=~"critical|high"'], receiver: pager, continue: true }
      - { matchers: ['severity=~".+"'], receiver: chat }
  receivers:
    - { name: pager, channels: [pager] }
    - { name: chat, channels: [chat] }
`,
    'vigil.yaml',
  );
  const logger = pino({ level: 'silent' });
  const { dir: _dir, ...outboxOptions } = config.notify.outbox;
  const outbox = new Outbox({ ...outboxOptions, dir: join(tempDir(), 'notify'), channels: createChannels(config.notify.channels), logger });
  outbox.start();
  const c = clock();
  const graph = shopGraph();
  const manager = new IncidentManager({ store: new IncidentStore(':memory:'), graph: () => graph, now: c.now });
  const dispatcher = new Dispatcher({ config: config.routing, now: c.now, notify: () => {} });
  const notifier = new IncidentNotifier({ manager, dispatcher, receivers: config.routing.receivers, outbox, logger, vigilUrl: () => 'http://vigil.test', delayMs: 30_000, now: c.now, spread: new IncidentSpread(() => graph, 3) });
  /** Alerts as the dispatcher and the incident stage both see them. */
  const fire = (...alerts: ReturnType<typeof alert>[]) => {
    dispatcher.receive(alerts);
    for (const a of alerts) manager.observeAlert(a);
  };
  /** Delivered so far, as `channel kind [services]`, sorted (channels deliver independently). */
  const delivered = async (n: number) => {
    await outbox.drained({ timeoutMs: 10_000 });
    assert.equal(receiver.requests.length, n, `${n} deliveries`);
    return receiver.requests.map((r) => {
      const b = r.json as { kind: string; alerts: Array<{ labels: Record<string, string> }> };
      return `${r.path.slice(1)} ${b.kind} [${[...new Set(b.alerts.map((a) => a.labels.service))].sort().join(' ')}]`;
    }).sort();
  };
  const close = async () => {
    await outbox.close();
    await receiver.close();
  };
  return { c, manager, notifier, fire, delivered, close };
}

test('an incident pages once after notifyDelay; its cascade to callers and a severity rise within the same receivers page no one', async () => {
  const { c, notifier, fire, delivered, close } = await setup();
  try {
    fire(alert('SlowQueries', 'orders-db', 0, { severity: 'high' }));
    assert.deepEqual(notifier.tick(), [], 'waits notifyDelay for the first burst');
    c.set(T0 + 30_000);
    assert.equal(notifier.tick().length, 1);
    // The callers of orders-db alert next: the effects the page announced. Three services raise it to critical.
    c.set(T0 + 2 * MIN);
    fire(alert('HighLatency', 'api', 2, { severity: 'high' }), alert('HighErrorRate', 'web', 2, { severity: 'high' }));
    assert.deepEqual(notifier.tick(), []);
    assert.deepEqual(await delivered(2), ['chat firing [orders-db]', 'pager firing [orders-db]']);
  } finally {
    await close();
  }
});

test('an alert on a service the page did not explain (not a caller of one it named) pages again, naming it', async () => {
  const { c, notifier, fire, delivered, close } = await setup();
  try {
    fire(alert('HighLatency', 'api', 0, { severity: 'high' }));
    c.set(T0 + 30_000);
    notifier.tick();
    // api calls cache: cache alerting is a possible cause, not an effect of api.
    c.set(T0 + 3 * MIN);
    fire(alert('Evictions', 'cache', 3, { severity: 'high' }));
    assert.equal(notifier.tick().length, 1);
    assert.deepEqual(notifier.tick(), [], 'once');
    assert.deepEqual(await delivered(4), ['chat firing [api cache]', 'chat firing [api]', 'pager firing [api cache]', 'pager firing [api]']);
  } finally {
    await close();
  }
});

test('a severity rise that reaches a receiver the incident had not reached pages that receiver only', async () => {
  const { c, notifier, fire, delivered, close } = await setup();
  try {
    fire(alert('SlowRequests', 'payments', 0, { severity: 'medium' }));
    c.set(T0 + 30_000);
    notifier.tick();
    c.set(T0 + MIN);
    fire(alert('SlowRequests', 'payments', 0, { severity: 'high' }));
    assert.equal(notifier.tick().length, 1);
    assert.deepEqual(await delivered(2), ['chat firing [payments]', 'pager escalated [payments]']);
  } finally {
    await close();
  }
});
