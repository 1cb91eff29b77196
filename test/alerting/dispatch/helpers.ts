import type { AlertEvent, Severity } from '../../../src/core/index.js';
import { Dispatcher, type DispatcherOptions, type GroupNotification } from '../../../src/alerting/dispatch/index.js';

export const S = 1000;
export const M = 60 * S;
export const H = 60 * M;
/** A fixed origin so times in tests read as offsets. */
export const T0 = Date.UTC(2025, 0, 1);

/** A firing alert that started at T0 + `at`; the fingerprint is derived from the labels unless given. */
export function alert(labels: Record<string, string>, opts: Partial<AlertEvent> & { at?: number } = {}): AlertEvent {
  const { at, ...rest } = opts;
  return {
    kind: 'alert',
    fingerprint: Object.entries(labels).sort().map(([k, v]) => `${k}=${v}`).join(','),
    source: 'rule',
    state: 'firing',
    severity: (labels.severity as Severity | undefined) ?? 'medium',
    labels,
    annotations: {},
    startsAt: T0 + (at ?? 0),
    ...rest,
  };
}

/** The alert, resolved at T0 + `at`. */
export function resolved(a: AlertEvent, at: number): AlertEvent {
  return { ...a, state: 'resolved', endsAt: T0 + at };
}

/** A dispatcher on a fake clock that records what it notifies. */
export function harness(opts: Omit<DispatcherOptions, 'notify' | 'now'> = {}) {
  const clock = { t: T0 };
  const sent: GroupNotification[] = [];
  const d = new Dispatcher({ ...opts, now: () => clock.t, notify: (n) => void sent.push(n) });
  return {
    d,
    sent,
    /** Moves the clock to T0 + ms and ticks. Returns what this tick sent. */
    at(ms: number): GroupNotification[] {
      clock.t = T0 + ms;
      const before = sent.length;
      d.tick(clock.t);
      return sent.slice(before);
    },
    /** Ticks up to T0 + ms (as the production timer would), then receives the alerts at that time. */
    receive(ms: number, ...alerts: AlertEvent[]): void {
      this.run(ms);
      clock.t = T0 + ms;
      d.receive(alerts);
    },
    /** Ticks every second from the current time up to T0 + ms (as the production timer would); returns what was sent. */
    run(toMs: number): GroupNotification[] {
      const before = sent.length;
      for (let t = clock.t + S; t <= T0 + toMs; t += S) {
        clock.t = t;
        d.tick(t);
      }
      return sent.slice(before);
    },
  };
}

/** `name@offset` summaries of notifications, for readable assertions. */
export function summary(ns: readonly GroupNotification[]): string[] {
  return ns.map((n) => `${n.receiver} ${n.status} [${n.alerts.map((a) => `${a.labels.instance ?? a.labels.alertname}:${a.state}`).join(' ')}] @${fmt(n.at - T0)}`);
}

function fmt(ms: number): string {
  const h = Math.floor(ms / H);
  const m = Math.floor((ms % H) / M);
  const s = Math.floor((ms % M) / S);
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}

import { parse as parseYaml } from 'yaml';
import { routingSchema } from '../../../src/config/sections/routing.js';
import type { RoutingConfig } from '../../../src/alerting/dispatch/index.js';

/** A routing config from the YAML a user writes under `routing:` in vigil.yaml. */
export function routing(yaml: string): RoutingConfig {
  return routingSchema.parse(parseYaml(yaml));
}
