import type { Logger } from 'pino';
import type { AnomalyEvent } from '../../core/events.js';
import type { Severity } from '../../core/severity.js';

export type AnomalyListener = (e: AnomalyEvent) => void;

/**
 * Where a detection stage's events go: its listeners (one that throws is logged and the
 * rest still hear the event), a count per severity for /metrics, and the most recent
 * `keep` events for the API.
 */
export class AnomalyFeed {
  private readonly listeners: AnomalyListener[] = [];
  private readonly kept: AnomalyEvent[] = [];
  readonly counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };

  constructor(
    private readonly logger: Logger,
    private readonly keep = 1000,
  ) {}

  on(l: AnomalyListener): void {
    this.listeners.push(l);
  }

  emit(e: AnomalyEvent): void {
    this.counts[e.severity]++;
    this.kept.push(e);
    if (this.kept.length > this.keep) this.kept.splice(0, this.kept.length - this.keep);
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.logger.error({ err }, 'anomaly listener failed');
      }
    }
  }

  /** The most recent events at or after `since`, at most `limit`, newest last. */
  recent(limit: number, since: number): AnomalyEvent[] {
    return this.kept.filter((e) => e.t >= since).slice(-limit);
  }
}
