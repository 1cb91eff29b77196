import type { Dispatcher } from '../alerting/dispatch/index.js';
import type { IncidentManager } from '../incidents/index.js';

/**
 * Feeds the incident stage every alert the dispatcher holds (Vigil's rules,
 * Alertmanager's webhook, API v2) incrementally: the dispatcher reports each
 * alert that is new, changed or forgotten (`onAlert`), so re-sends of
 * unchanged alerts cost the incident stage nothing however many are active.
 *
 * `sweep` closes, once a second, the members the feed cannot hear about: an
 * alert whose `endsAt` passed without a resolved event, and a member of an
 * incident loaded at start that no source holds any more. It visits only the
 * firing alert members of open incidents, with one map lookup each.
 */
export class IncidentFeed {
  private readonly unsubscribe: () => void;

  constructor(
    private readonly manager: IncidentManager,
    private readonly dispatcher: Dispatcher,
    /** Whether a Vigil rule still tracks this alert (it may be pending or not yet dispatched). */
    private readonly ruleTracks: (fingerprint: string) => boolean,
  ) {
    this.unsubscribe = dispatcher.onAlert((a) => manager.observeAlert(a));
  }

  /** Resolves members whose alert ended without an event; returns how many. */
  sweep(now: number): number {
    let ended = 0;
    for (const inc of this.manager.openIncidents())
      for (const m of inc.members) {
        if (m.kind !== 'alert' || m.state !== 'firing') continue;
        const state = this.dispatcher.alertState(m.ref, now);
        if (state === 'firing' || (state === undefined && this.ruleTracks(m.ref))) continue;
        this.manager.observeAlert({ kind: 'alert', fingerprint: m.ref, source: 'vigil', state: 'resolved', severity: m.severity, labels: m.labels, annotations: {}, startsAt: m.t, endsAt: now });
        ended++;
      }
    return ended;
  }

  stop(): void {
    this.unsubscribe();
  }
}
