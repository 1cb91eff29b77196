import type { Labels } from '../../core/index.js';
import { hostOf } from './host.js';

/**
 * Where an incident is still alerting: per host (or, for alerts without a
 * host, per service), how many of its alerts there fire and when the last one
 * there stopped. A fire that still burns is the same incident however long it
 * has burned: a disk filling for hours, then the service on that host failing
 * when it is full, is one incident, not two; so is a leak and the OOM kill that
 * ends it minutes after the memory alert cleared. A host whose alerts stopped
 * longer ago than the correlation window is quiet, and a new alert there is news.
 */
export class StillAlerting {
  private readonly places = new Map<string, { firing: number; endedAt: number }>();

  /** An alert of the incident fired (or fired again) at this host or service. */
  fired(labels: Labels | undefined, service: string | undefined): void {
    const key = placeOf(labels, service);
    if (key === undefined) return;
    const p = this.places.get(key);
    if (p) p.firing++;
    else this.places.set(key, { firing: 1, endedAt: -Infinity });
  }

  /** An alert of the incident there stopped firing at `at`. */
  ended(labels: Labels | undefined, service: string | undefined, at: number): void {
    const key = placeOf(labels, service);
    const p = key === undefined ? undefined : this.places.get(key);
    if (!p) return;
    p.firing = Math.max(0, p.firing - 1);
    p.endedAt = Math.max(p.endedAt, at);
  }

  /** Whether an event at `t` there finds an alert of the incident firing, or stopped less than `graceMs` before. */
  burning(labels: Labels | undefined, service: string | undefined, t: number, graceMs: number): boolean {
    const key = placeOf(labels, service);
    const p = key === undefined ? undefined : this.places.get(key);
    return p !== undefined && (p.firing > 0 || t <= p.endedAt + graceMs);
  }

  /** Whether anything could still join this way at or after `t`. */
  activeAt(t: number, graceMs: number): boolean {
    for (const p of this.places.values()) if (p.firing > 0 || t <= p.endedAt + graceMs) return true;
    return false;
  }
}

/** The host an event is about, or its service when it names no host. */
function placeOf(labels: Labels | undefined, service: string | undefined): string | undefined {
  return hostOf(labels) ?? (service !== undefined ? `service=${service}` : undefined);
}
