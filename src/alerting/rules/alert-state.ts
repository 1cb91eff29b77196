import { hashString64, labelsKey, type Labels } from '../../core/labels.js';
import type { AlertEvent, AlertState } from '../../core/events.js';
import type { Severity } from '../../core/severity.js';
import { VigilError } from '../../core/errors.js';

/**
 * The alert lifecycle, per rule and label set, as Prometheus' alerting rules
 * with three additions (flapping damping, acknowledgement, manual resolution):
 *
 *   inactive --condition true--> pending --`for` elapsed--> firing --condition false--> resolved
 *   pending --condition false--> inactive (forgotten)
 *   resolved --condition true--> pending/firing again (same fingerprint, new startsAt)
 *   resolved alerts are kept for `keepResolvedMs`, then forgotten.
 *
 * With `for: 0` an alert fires on the first evaluation its condition is true.
 *
 * **Flapping damping.** Once an alert has fired, each change of its condition
 * between evaluations (true -> false or false -> true) is a flip. An alert with
 * more than `maxFlips` flips within `windowMs` is flapping: when its condition
 * goes false it is held firing, and resolves only once the condition has stayed
 * false for `coolDownMs`. Flips that happen while held are absorbed (no
 * resolved/firing pair reaches anyone). The alert is marked `flapping: true`
 * (one event announces it); the mark is cleared when it resolves and the flips
 * have aged out of the window.
 *
 * **Acknowledgement** (`ack`) records who and when (and an optional comment)
 * on a pending or firing alert; it stays firing, marked acknowledged, until it
 * resolves. A new occurrence (after resolution) starts unacknowledged.
 *
 * **Manual resolution** (`resolve`) resolves a pending or firing alert at once,
 * recording who, when and a note. While its condition stays true it stays
 * resolved (it does not re-fire on the next evaluation); once the condition has
 * been false at one evaluation the alert is re-armed and can fire again.
 *
 * Every state change, acknowledgement and the start of flapping is emitted as an
 * AlertEvent to the listeners.
 */

export interface FlappingOptions {
  maxFlips: number;
  windowMs: number;
  coolDownMs: number;
}

export interface LifecycleOptions {
  /** How long resolved alerts are kept (listed, and re-used if they fire again). Default 15 min. */
  keepResolvedMs?: number;
  /** Flapping damping; `false` turns it off. Default: more than 6 flips in 1 h, cool-down 15 min. */
  flapping?: FlappingOptions | false;
}

export const DEFAULT_FLAPPING: FlappingOptions = { maxFlips: 6, windowMs: 3_600_000, coolDownMs: 900_000 };
export const DEFAULT_KEEP_RESOLVED_MS = 900_000;

export interface Acknowledgement {
  by: string;
  at: number;
  comment?: string;
}

export interface ManualResolution {
  by: string;
  at: number;
  note: string;
}

/** One alert's state: the tracker's record, returned by `get` and `list` as a snapshot. */
export interface AlertRecord {
  fingerprint: string;
  rule: string;
  severity: Severity;
  labels: Labels;
  annotations: Record<string, string>;
  state: Exclude<AlertState, 'inactive'>;
  /** When the condition became true (this occurrence). */
  activeAt: number;
  /** When it started firing (this occurrence). */
  firedAt?: number;
  resolvedAt?: number;
  value: number;
  lastEvaluatedAt: number;
  ack?: Acknowledgement;
  manual?: ManualResolution;
  flapping: boolean;
}

interface Internal extends AlertRecord {
  hasFired: boolean;
  lastCondition: boolean;
  flips: number[];
  /** Held firing since (condition false while flapping). */
  holdSince?: number;
  /** Manually resolved while the condition was still true. */
  awaitingClear: boolean;
}

/** What the evaluator reports for one label set whose condition is true. */
export interface ActiveAlert {
  /** The alert's labels: the element's, the rule's, `alertname` and `severity`. */
  labels: Labels;
  annotations: Record<string, string>;
  value: number;
}

export interface RuleIdentity {
  name: string;
  severity: Severity;
  forMs: number;
}

export type AlertListener = (e: AlertEvent) => void;

/** Stable identity of an alert: hash of the rule name and the sorted label set. */
export function alertFingerprint(rule: string, labels: Labels): string {
  return hashString64(rule + '\xfd' + labelsKey(labels));
}

export class AlertTracker {
  private readonly byRule = new Map<string, Map<string, Internal>>();
  private readonly byFingerprint = new Map<string, Internal>();
  private readonly listeners: AlertListener[] = [];
  private readonly keepResolvedMs: number;
  private readonly flapping: FlappingOptions | false;

  constructor(opts: LifecycleOptions = {}) {
    this.keepResolvedMs = opts.keepResolvedMs ?? DEFAULT_KEEP_RESOLVED_MS;
    this.flapping = opts.flapping === undefined ? DEFAULT_FLAPPING : opts.flapping;
  }

  onEvent(l: AlertListener): () => void {
    this.listeners.push(l);
    return () => {
      const i = this.listeners.indexOf(l);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Applies one evaluation of a rule: `active` are the label sets whose condition is true at `now`. */
  update(rule: RuleIdentity, active: readonly ActiveAlert[], now: number): AlertEvent[] {
    const events: AlertEvent[] = [];
    let records = this.byRule.get(rule.name);
    if (!records) this.byRule.set(rule.name, (records = new Map()));
    const seen = new Set<string>();
    for (const a of active) {
      const fp = alertFingerprint(rule.name, a.labels);
      if (seen.has(fp)) continue;
      seen.add(fp);
      let rec = records.get(fp);
      if (rec) {
        this.noteCondition(rec, true, now);
        rec.value = a.value;
        rec.annotations = a.annotations;
        rec.severity = rule.severity;
        rec.lastEvaluatedAt = now;
      }
      if (!rec || (rec.state === 'resolved' && !rec.awaitingClear)) {
        const fresh: Internal = {
          fingerprint: fp,
          rule: rule.name,
          severity: rule.severity,
          labels: a.labels,
          annotations: a.annotations,
          state: 'pending',
          activeAt: now,
          value: a.value,
          lastEvaluatedAt: now,
          flapping: rec?.flapping ?? false,
          hasFired: rec?.hasFired ?? false,
          lastCondition: true,
          flips: rec?.flips ?? [],
          awaitingClear: false,
        };
        records.set(fp, fresh);
        this.byFingerprint.set(fp, fresh);
        rec = fresh;
        if (rule.forMs > 0) {
          events.push(this.event(rec));
          continue;
        }
      }
      if (rec.awaitingClear) continue;
      if (rec.state === 'pending' && now - rec.activeAt >= rule.forMs) {
        rec.state = 'firing';
        rec.firedAt = now;
        rec.hasFired = true;
        events.push(this.event(rec));
      } else if (rec.state === 'firing') rec.holdSince = undefined;
    }
    for (const [fp, rec] of records) {
      if (seen.has(fp)) continue;
      this.noteCondition(rec, false, now);
      rec.lastEvaluatedAt = now;
      if (rec.state === 'pending') {
        this.forget(rec);
        events.push({ ...this.event(rec), state: 'inactive', endsAt: now });
      } else if (rec.state === 'firing') {
        if (this.isFlapping(rec, now)) {
          rec.holdSince ??= now;
          if (!rec.flapping) {
            rec.flapping = true;
            events.push(this.event(rec));
          }
          if (now - rec.holdSince < (this.flapping as FlappingOptions).coolDownMs) continue;
        }
        rec.state = 'resolved';
        rec.resolvedAt = now;
        rec.holdSince = undefined;
        events.push(this.event(rec));
      } else {
        rec.awaitingClear = false;
        if (rec.flapping && !this.isFlapping(rec, now)) rec.flapping = false;
        if (now - rec.resolvedAt! >= this.keepResolvedMs) this.forget(rec);
      }
    }
    this.emit(events);
    return events;
  }

  /** Acknowledges a pending or firing alert. Throws VigilError ALERT_NOT_FOUND (404) or ALERT_NOT_ACTIVE (409). */
  ack(fingerprint: string, by: string, comment?: string, now = Date.now()): AlertEvent {
    const rec = this.active(fingerprint);
    rec.ack = comment === undefined ? { by, at: now } : { by, at: now, comment };
    const e = this.event(rec);
    this.emit([e]);
    return e;
  }

  /** Resolves a pending or firing alert by hand. Throws as `ack`. */
  resolve(fingerprint: string, by: string, note: string, now = Date.now()): AlertEvent {
    const rec = this.active(fingerprint);
    rec.state = 'resolved';
    rec.resolvedAt = now;
    rec.holdSince = undefined;
    rec.manual = { by, at: now, note };
    rec.awaitingClear = true;
    const e = this.event(rec);
    this.emit([e]);
    return e;
  }

  get(fingerprint: string): AlertRecord | undefined {
    const r = this.byFingerprint.get(fingerprint);
    return r && snapshot(r);
  }

  /** Alerts known now (pending, firing, and resolved within keepResolved), optionally of one rule or state. */
  list(filter: { rule?: string; state?: AlertRecord['state'] } = {}): AlertRecord[] {
    const out: AlertRecord[] = [];
    for (const r of this.byFingerprint.values()) {
      if (filter.rule !== undefined && r.rule !== filter.rule) continue;
      if (filter.state !== undefined && r.state !== filter.state) continue;
      out.push(snapshot(r));
    }
    return out;
  }

  /** Label sets of a rule's firing alerts (composite rules with `use: firing`). */
  firingLabels(rule: string): Labels[] {
    const out: Labels[] = [];
    for (const r of this.byRule.get(rule)?.values() ?? []) if (r.state === 'firing') out.push(r.labels);
    return out;
  }

  rules(): string[] {
    return [...this.byRule.keys()];
  }

  /** Forgets a rule (removed on reload): its firing alerts resolve and its pending ones go inactive. */
  dropRule(name: string, now: number): AlertEvent[] {
    const events: AlertEvent[] = [];
    for (const rec of this.byRule.get(name)?.values() ?? []) {
      if (rec.state === 'firing') {
        rec.state = 'resolved';
        rec.resolvedAt = now;
        events.push(this.event(rec));
      } else if (rec.state === 'pending') events.push({ ...this.event(rec), state: 'inactive', endsAt: now });
      this.byFingerprint.delete(rec.fingerprint);
    }
    this.byRule.delete(name);
    this.emit(events);
    return events;
  }

  private active(fingerprint: string): Internal {
    const rec = this.byFingerprint.get(fingerprint);
    if (!rec) throw new VigilError('ALERT_NOT_FOUND', `no alert with fingerprint ${fingerprint}`, 404);
    if (rec.state === 'resolved') throw new VigilError('ALERT_NOT_ACTIVE', `alert ${fingerprint} (${rec.rule}) is already resolved`, 409);
    return rec;
  }

  private noteCondition(rec: Internal, cond: boolean, now: number): void {
    if (rec.hasFired && cond !== rec.lastCondition) rec.flips.push(now);
    rec.lastCondition = cond;
    if (this.flapping) {
      const since = now - this.flapping.windowMs;
      while (rec.flips.length > 0 && rec.flips[0]! <= since) rec.flips.shift();
    }
  }

  private isFlapping(rec: Internal, _now: number): boolean {
    return this.flapping !== false && rec.flips.length > this.flapping.maxFlips;
  }

  private forget(rec: Internal): void {
    this.byRule.get(rec.rule)?.delete(rec.fingerprint);
    this.byFingerprint.delete(rec.fingerprint);
  }

  private event(r: Internal): AlertEvent {
    const e: AlertEvent = {
      kind: 'alert',
      fingerprint: r.fingerprint,
      source: r.rule,
      rule: r.rule,
      state: r.state,
      severity: r.severity,
      labels: r.labels,
      annotations: r.annotations,
      startsAt: r.firedAt ?? r.activeAt,
      activeAt: r.activeAt,
      value: r.value,
    };
    if (r.state === 'resolved') e.endsAt = r.resolvedAt;
    if (r.ack) {
      e.ackedBy = r.ack.by;
      e.ackedAt = r.ack.at;
      if (r.ack.comment !== undefined) e.ackComment = r.ack.comment;
    }
    if (r.manual) {
      e.resolvedBy = r.manual.by;
      e.resolveNote = r.manual.note;
    }
    if (r.flapping) e.flapping = true;
    return e;
  }

  private emit(events: readonly AlertEvent[]): void {
    for (const e of events) for (const l of this.listeners) l(e);
  }
}

function snapshot(r: Internal): AlertRecord {
  const out: AlertRecord = {
    fingerprint: r.fingerprint,
    rule: r.rule,
    severity: r.severity,
    labels: r.labels,
    annotations: r.annotations,
    state: r.state,
    activeAt: r.activeAt,
    value: r.value,
    lastEvaluatedAt: r.lastEvaluatedAt,
    flapping: r.flapping,
  };
  if (r.firedAt !== undefined) out.firedAt = r.firedAt;
  if (r.resolvedAt !== undefined) out.resolvedAt = r.resolvedAt;
  if (r.ack) out.ack = { ...r.ack };
  if (r.manual) out.manual = { ...r.manual };
  return out;
}
