import { buildIncident, type BuildContext } from './incident-builder.js';
import type { GroundTruthIncident, Incident, IncidentKind, IncidentSpec } from './incident-types.js';
import { MAX_RANDOM_SPAN, randomSpec } from './random-incidents.js';
import { Rng, subSeed } from './random.js';
import { DAY } from './seasonality.js';

export interface ScheduleOptions {
  startTime: number;
  /** Random incidents per simulated day (Poisson); 0 turns the random schedule off. */
  ratePerDay: number;
  /** No random incident starts this soon after startTime, so detectors can learn a baseline first. */
  warmupMs: number;
  kindWeights: Partial<Record<IncidentKind, number>>;
}

/**
 * Explicit incidents (given up front or injected later) plus a random schedule. The random one
 * is drawn day by day from the seed, one independent stream per simulated day, so the incidents
 * of day 40 are the same whether or not days 1 to 39 were ever generated.
 */
export class IncidentSchedule {
  private readonly explicit: Incident[] = [];
  private readonly days = new Map<number, Incident[]>();
  private readonly scratch: Incident[] = [];
  /** Random incidents changed by a remediation, so a day rebuilt after eviction keeps the change. */
  private readonly patched = new Map<string, Incident>();
  private injected = 0;

  constructor(
    private readonly ctx: BuildContext,
    private readonly opts: ScheduleOptions,
  ) {}

  /** Adds an incident; returns its ground truth. */
  add(spec: IncidentSpec): GroundTruthIncident {
    const id = spec.id ?? `inc-${++this.injected}`;
    if (this.explicit.some((i) => i.truth.id === id)) throw new RangeError(`duplicate incident id "${id}"`);
    const inc = buildIncident(spec, id, false, this.ctx);
    this.explicit.push(inc);
    this.explicit.sort((a, b) => a.truth.startsAt - b.truth.startsAt);
    return inc.truth;
  }

  /** Incidents whose effects may be non-zero at t (reuses one array: copy it to keep it). */
  active(t: number): readonly Incident[] {
    const out = this.scratch;
    out.length = 0;
    for (const inc of this.explicit) {
      if (inc.truth.startsAt > t) break;
      if (t < inc.truth.endsAt) out.push(inc);
    }
    if (this.opts.ratePerDay > 0) {
      const last = this.dayOf(t);
      for (let d = Math.max(0, this.dayOf(t - MAX_RANDOM_SPAN)); d <= last; d++) {
        for (const inc of this.day(d)) if (inc.truth.startsAt <= t && t < inc.truth.endsAt) out.push(inc);
      }
    }
    return out;
  }

  /** The incident with this id (explicit or random), or undefined. */
  find(id: string): Incident | undefined {
    const hit = this.explicit.find((i) => i.truth.id === id) ?? this.patched.get(id);
    if (hit) return hit;
    const m = /^sim-(\d+)-\d+$/.exec(id);
    if (!m || !(this.opts.ratePerDay > 0)) return undefined;
    return this.day(Number(m[1])).find((i) => i.truth.id === id);
  }

  /** Records that an incident's effects were changed (by a remediation): random ones are kept. */
  patch(inc: Incident): void {
    if (inc.truth.random) this.patched.set(inc.truth.id, inc);
  }

  /** Ground truth of incidents overlapping [start, end), in order of start. */
  between(start: number, end: number): GroundTruthIncident[] {
    const out = this.explicit.filter((i) => i.truth.startsAt < end && i.truth.endsAt > start).map((i) => i.truth);
    if (this.opts.ratePerDay > 0) {
      for (let d = Math.max(0, this.dayOf(start - MAX_RANDOM_SPAN)); d <= this.dayOf(end); d++) {
        for (const inc of this.day(d)) if (inc.truth.startsAt < end && inc.truth.endsAt > start) out.push(inc.truth);
      }
    }
    return out.sort((a, b) => a.startsAt - b.startsAt || (a.id < b.id ? -1 : 1));
  }

  private dayOf(t: number): number {
    return Math.floor((t - this.opts.startTime) / DAY);
  }

  /** The random incidents starting on simulated day d (cached; a long run keeps only recent days). */
  private day(d: number): Incident[] {
    const hit = this.days.get(d);
    if (hit) return hit;
    const rng = new Rng(subSeed(this.ctx.seed, `incidents:${d}`));
    const dayStart = this.opts.startTime + d * DAY;
    const count = rng.poisson(this.opts.ratePerDay);
    const list: Incident[] = [];
    for (let j = 0; j < count; j++) {
      const startsAt = this.ctx.snap(dayStart + rng.next() * DAY);
      const spec = randomSpec(rng, this.ctx, startsAt, this.opts.kindWeights);
      if (startsAt < this.opts.startTime + this.opts.warmupMs) continue;
      const id = `sim-${d}-${j + 1}`;
      list.push(this.patched.get(id) ?? buildIncident(spec, id, true, this.ctx));
    }
    list.sort((a, b) => a.truth.startsAt - b.truth.startsAt);
    if (this.days.size >= 64) this.days.delete(this.days.keys().next().value!);
    this.days.set(d, list);
    return list;
  }
}
