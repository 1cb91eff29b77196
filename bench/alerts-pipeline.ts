// Phase 2 of bench:alerts: the stored day through Vigil's alerting, in simulated time.
//
// The default rule set (rules/default.yaml) is evaluated every
// ruleEvaluation.evaluationInterval of simulated time over the store phase 1
// filled, each evaluation reading only data up to its own time, exactly as the
// live evaluator would have at that moment; alerts go through the dispatcher
// with the default routing (severity table, grouping, timing), and each group
// notification through the durable outbox to a local HTTP receiver standing in
// for the `pagerduty` and `slack` channels the default routing names.
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import pino from 'pino';
import type { AlertEvent } from '../src/core/events.js';
import { RuleEvaluator, loadRules } from '../src/alerting/rules/index.js';
import { Dispatcher } from '../src/alerting/dispatch/index.js';
import { Outbox, createChannels } from '../src/notify/index.js';
import { parseConfig } from '../src/config/load.js';
import { deliverToOutbox } from '../src/app/alert-delivery.js';
import { RecordingReceiver } from './alerts-receiver.js';
import type { SimulatedDay } from './alerts-fleet.js';

/** One notification as the receiver got it (Vigil's webhook body, the fields scored). */
export interface ReceivedNotification {
  id: string;
  channel: string;
  kind: string;
  createdAt: number;
  alerts: Array<{ state: string; labels: Record<string, string> }>;
}

export interface AlertingRun {
  /** Alerts that started firing (each firing of a rule for a label set: the one-per-firing-rule baseline). */
  alertsFired: number;
  /** Every message delivered, one per channel. */
  messages: ReceivedNotification[];
}

export async function runAlerting(day: SimulatedDay, ruleFile: string, progress: (msg: string) => void): Promise<AlertingRun> {
  const receiver = await RecordingReceiver.start();
  const defaults = day.config;
  // Vigil's defaults; only the two channels the default routing names, pointed at the local receiver.
  const channels = parseConfig(
    `notify:\n  channels:\n    - { name: pagerduty, type: webhook, url: "${receiver.url}/pagerduty" }\n    - { name: slack, type: webhook, url: "${receiver.url}/slack" }\n`,
    'bench.yaml',
  ).notify.channels;
  const logger = pino({ level: 'silent' });
  const { dir: _dir, ...outboxOptions } = defaults.notify.outbox;
  const outboxDir = mkdtempSync(join(tmpdir(), 'vigil-bench-outbox-'));
  const outbox = new Outbox({ ...outboxOptions, dir: outboxDir, channels: createChannels(channels), logger });
  outbox.start();
  let now = day.from;
  const rules = new RuleEvaluator({ store: day.store, rules: loadRules({ ruleFiles: [ruleFile] }), clock: () => now, ...defaults.ruleEvaluation, logger });
  const dispatcher = new Dispatcher({
    config: defaults.routing,
    notify: deliverToOutbox(outbox, logger, () => 'http://vigil.invalid'),
    now: () => now,
    isAcknowledged: (fp) => rules.tracker.get(fp)?.ack !== undefined,
    logger,
  });
  const firing = new Set<string>();
  let alertsFired = 0;
  rules.onEvent((e: AlertEvent) => {
    if (e.state === 'firing' && !firing.has(e.fingerprint)) {
      firing.add(e.fingerprint);
      alertsFired++;
    } else if (e.state !== 'firing') firing.delete(e.fingerprint);
    dispatcher.receive(e);
  });
  const evalEvery = rules.evaluationIntervalMs;
  const tickEvery = 5_000;
  let nextEval = day.from;
  for (now = day.from; now < day.to; now += tickEvery) {
    if (now >= nextEval) {
      rules.evaluate(now);
      nextEval += evalEvery;
    }
    dispatcher.tick(now);
    if ((now - day.from) % (3 * 3_600_000) === 0) progress(`alerting: ${((now - day.from) / 3_600_000).toFixed(0)} h of the day, ${alertsFired} alerts fired`);
  }
  await outbox.drained({ timeoutMs: 120_000 });
  await outbox.close();
  rmSync(outboxDir, { recursive: true, force: true });
  await receiver.close();
  const messages = receiver.bodies.map(({ body }) => {
    const b = body as { id: string; channel: string; kind: string; createdAt: string; alerts: Array<{ state: string; labels: Record<string, string> }> };
    return { id: b.id, channel: b.channel, kind: b.kind, createdAt: Date.parse(b.createdAt), alerts: b.alerts.map((a) => ({ state: a.state, labels: a.labels })) };
  });
  return { alertsFired, messages };
}
