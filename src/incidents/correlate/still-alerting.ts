import type { Labels } from '../../core/index.js';
import { hostOf } from './host.js';

/**
 * Where an incident is still alerting: per host (or, for alerts without a
 * host, per service), how many of its alerts there fire. A fire that still
 * burns is the same incident however long it has burned: a disk filling for
 * hours, then the service on that host failing when it is full, is one
 * incident, not two. Once its alerts there have stopped, even a minute ago,
 * the host is not burning: a new alert there may be a new fault (a level
 * shift starting minutes after a cascade through that host ended), and a
 * second page is better than a missed incident.
 */
export class StillAlerting {
  private readonly firing = new Map<string, number>();

  /** An alert of the incident fired (or fired again) at this host or service. */
  fired(labels: Labels | undefined, service: string | undefined): void {
    const key = placeOf(labels, service);
    if (key !== undefined) this.firing.set(key, (this.firing.get(key) ?? 0) + 1);
  }

  /** An alert of the incident there stopped firing. */
  ended(labels: Labels | undefined, service: string | undefined): void {
    const key = placeOf(labels, service);
    const n = key === undefined ? 0 : (this.firing.get(key) ?? 0);
    if (n > 1) this.firing.set(key!, n - 1);
    else if (key !== undefined) this.firing.delete(key);
  }

  /** Whether an alert of the incident fires where this event is. */
  burning(labels: Labels | undefined, service: string | undefined): boolean {
    const key = placeOf(labels, service);
    return key !== undefined && this.firing.has(key);
  }

  /** Whether any of its alerts fires (anything could still join this way). */
  get any(): boolean {
    return this.firing.size > 0;
  }
}

/** The host an event is about, or its service when it names no host. */
function placeOf(labels: Labels | undefined, service: string | undefined): string | undefined {
  return hostOf(labels) ?? (service !== undefined ? `service=${service}` : undefined);
}
