// Phase 2 of bench:alerts: the stored day through Vigil's alerting, in simulated time.
//
// The default rule set (rules/default.yaml) is evaluated every
// ruleEvaluation.evaluationInterval of simulated time over the store phase 1
// filled, each evaluation reading only data up to its own time, exactly as the
// live evaluator would have at that moment; alerts go through the dispatcher
// with the default routing (severity table, grouping, timing) and, wired as
// `vigil serve` wires them, the incident stage with its defaults: alerts and
// the day's anomaly events (each at its own time) correlated over the live
// topology into incidents, which notify once per incident in place of the
// alert groups of their alerts (incidents.notifyPerIncident). Every
// notification goes through the durable outbox to a local HTTP receiver
// standing in for the `pagerduty` and `slack` channels the default routing names.
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import pino from 'pino';
import type { AlertEvent, AnomalyEvent } from '../src/core/events.js';
import type { Incident } from '../src/incidents/index.js';
import { RuleEvaluator, loadRules } from '../src/alerting/rules/index.js';
import { Dispatcher } from '../src/alerting/dispatch/index.js';
import { Outbox, createChannels } from '../src/notify/index.js';
import { parseConfig } from '../src/config/load.js';
import { deliverToOutbox } from '../src/app/alert-delivery.js';
import { connectIncidents, createIncidents, deferToIncidents, type IncidentWiring } from '../src/app/incident-wiring.js';
import { createTopology, feedTopology } from '../src/app/topology-wiring.js';
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
  /** Each firing of an alert: its labels, when it fired and when it resolved (for --explain). */
  firings: AlertFiring[];
  /** The incidents of the day that notified, with their timelines (for --explain). */
  notified: Incident[];
}

export interface AlertFiring {
  labels: Record<string, string>;
  startsAt: number;
  endsAt?: number;
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
  // The incident stage, as createIncidents and connectIncidents wire it in `vigil serve`, on simulated time.
  const topology = createTopology(defaults, day.store);
  const incidents = createIncidents(defaults, logger, () => topology.graph(now), () => now);
  let wiring: IncidentWiring | undefined;
  const dispatcher = new Dispatcher({
    config: defaults.routing,
    notify: deferToIncidents(deliverToOutbox(outbox, logger, () => 'http://vigil.invalid'), () => wiring?.notifier && ((g) => wiring!.notifier!.ownedByIncidents(g))),
    now: () => now,
    isAcknowledged: (fp) => rules.tracker.get(fp)?.ack !== undefined,
    logger,
  });
  const firing = new Map<string, AlertFiring>();
  const firings: AlertFiring[] = [];
  let alertsFired = 0;
  rules.onEvent((e: AlertEvent) => {
    if (e.state === 'firing' && !firing.has(e.fingerprint)) {
      const f = { labels: { ...e.labels }, startsAt: e.startsAt };
      firing.set(e.fingerprint, f);
      firings.push(f);
      alertsFired++;
    } else if (e.state !== 'firing') {
      const f = firing.get(e.fingerprint);
      if (f) f.endsAt = e.endsAt ?? now;
      firing.delete(e.fingerprint);
    }
    dispatcher.receive(e);
  });
  // The day's anomaly events, delivered when simulated time reaches them (as detection would emit them).
  const anomalyListeners: Array<(e: AnomalyEvent) => void> = [];
  const detection = { onAnomaly: (l: (e: AnomalyEvent) => void) => void anomalyListeners.push(l) };
  feedTopology(topology, { detection, rules });
  if (incidents) wiring = connectIncidents(incidents, { config: defaults, rules, dispatcher, detection, outbox, pager: undefined, logger, vigilUrl: () => 'http://vigil.invalid', now: () => now, timer: false });
  const signals = [...day.signals].sort((a, b) => a.t - b.t);
  let nextSignal = 0;
  const evalEvery = rules.evaluationIntervalMs;
  const tickEvery = 5_000;
  let nextEval = day.from;
  for (now = day.from; now < day.to; now += tickEvery) {
    while (nextSignal < signals.length && signals[nextSignal]!.t <= now) {
      const e = signals[nextSignal++]!;
      for (const l of anomalyListeners) l(e);
    }
    if (now >= nextEval) {
      rules.evaluate(now);
      nextEval += evalEvery;
    }
    dispatcher.tick(now);
    wiring?.tick(now);
    if ((now - day.from) % (3 * 3_600_000) === 0) progress(`alerting: ${((now - day.from) / 3_600_000).toFixed(0)} h of the day, ${alertsFired} alerts fired`);
  }
  wiring?.stop();
  const notified = (incidents?.list() ?? []).filter((i) => i.notified);
  incidents?.close();
  await outbox.drained({ timeoutMs: 120_000 });
  await outbox.close();
  rmSync(outboxDir, { recursive: true, force: true });
  await receiver.close();
  const messages = receiver.bodies.map(({ body }) => {
    const b = body as { id: string; channel: string; kind: string; createdAt: string; alerts: Array<{ state: string; labels: Record<string, string> }> };
    return { id: b.id, channel: b.channel, kind: b.kind, createdAt: Date.parse(b.createdAt), alerts: b.alerts.map((a) => ({ state: a.state, labels: a.labels })) };
  });
  return { alertsFired, messages, firings, notified };
}
