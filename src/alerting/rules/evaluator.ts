import { labelsKey, type Labels } from '../../core/labels.js';
import type { AlertEvent } from '../../core/events.js';
import type { SampleStore } from '../../store/types.js';
import { AlertTracker, type ActiveAlert, type AlertListener, type AlertRecord, type FlappingOptions } from './alert-state.js';
import { absenceCondition, anomalyCondition, forecastCondition, rateOfChangeCondition, thresholdCondition, type ConditionContext } from './conditions.js';
import { LinearTrendForecaster, type ForecastProvider } from './forecast.js';
import { evaluationOrder } from './load.js';
import type { CompositeRule, ConditionNode, Element, Rule } from './types.js';
import { conditionRefs } from './types.js';

/**
 * Evaluates every rule against the sample store at `now`, every
 * `evaluationIntervalMs` (timers unref'd), and feeds the results to the alert
 * lifecycle. Synchronous: one `evaluate(now)` call reads the store, updates
 * every alert and returns (and emits) the events of that evaluation. The clock
 * is injectable, which is what tests and `backtest` use.
 */

export interface EvaluatorOptions {
  store: SampleStore;
  rules: readonly Rule[];
  /** Default Date.now. */
  clock?: () => number;
  /** Default 15 s. */
  evaluationIntervalMs?: number;
  keepResolvedMs?: number;
  flapping?: FlappingOptions | false;
  /** Default: LinearTrendForecaster. */
  forecast?: ForecastProvider;
  /** Evaluation errors are logged here (a failing rule keeps its alerts as they were). */
  logger?: { warn(obj: object, msg?: string): void };
}

export interface RuleHealth {
  rule: string;
  type: Rule['type'];
  lastEvaluatedAt?: number;
  durationMs?: number;
  /** Label sets whose condition was true at the last evaluation. */
  active: number;
  /** The last evaluation's error, if it failed. */
  error?: string;
}

export class RuleEvaluator {
  readonly tracker: AlertTracker;
  readonly evaluationIntervalMs: number;
  private rules: Rule[] = [];
  private readonly health = new Map<string, RuleHealth>();
  private readonly store: SampleStore;
  private readonly clock: () => number;
  private readonly forecast: ForecastProvider;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: EvaluatorOptions) {
    this.store = opts.store;
    this.clock = opts.clock ?? Date.now;
    this.evaluationIntervalMs = opts.evaluationIntervalMs ?? 15_000;
    this.forecast = opts.forecast ?? new LinearTrendForecaster();
    this.tracker = new AlertTracker({ keepResolvedMs: opts.keepResolvedMs, flapping: opts.flapping });
    this.setRules(opts.rules);
  }

  onEvent(l: AlertListener): () => void {
    return this.tracker.onEvent(l);
  }

  get ruleSet(): readonly Rule[] {
    return this.rules;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.evaluate(), this.evaluationIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One evaluation of every rule at `now`; returns the alert events it caused (also emitted to listeners). */
  evaluate(now = this.clock()): AlertEvent[] {
    const ctx: ConditionContext = { store: this.store, now, forecast: this.forecast };
    const conditions = new Map<string, Element[]>();
    const events: AlertEvent[] = [];
    for (const rule of this.rules) {
      const started = performance.now();
      const h = this.health.get(rule.name)!;
      let elements: Element[];
      try {
        elements = rule.type === 'composite' ? compositeCondition(rule, (name) => this.operand(rule, name, conditions)) : dataCondition(rule, ctx);
      } catch (e) {
        h.error = (e as Error).message;
        h.lastEvaluatedAt = now;
        this.opts.logger?.warn({ rule: rule.name, err: h.error }, 'rule evaluation failed; its alerts are left as they were');
        continue;
      }
      conditions.set(rule.name, elements);
      if (rule.alert !== false) events.push(...this.tracker.update(rule, elements.map((e) => toActiveAlert(rule, e)), now));
      h.error = undefined;
      h.lastEvaluatedAt = now;
      h.active = elements.length;
      h.durationMs = performance.now() - started;
    }
    return events;
  }

  /**
   * Replaces the rule set. Alerts of rules that keep their name keep their
   * state (matched by fingerprint, i.e. rule name and labels), so a reload does
   * not re-page or reset `for`; alerts of removed rules (or rules now `alert: false`) resolve.
   */
  reload(rules: readonly Rule[], now = this.clock()): AlertEvent[] {
    // Alerts of removed rules, and of rules that no longer alert (alert: false), resolve.
    const names = new Set(rules.filter((r) => r.alert !== false).map((r) => r.name));
    const events: AlertEvent[] = [];
    for (const name of this.tracker.rules()) if (!names.has(name)) events.push(...this.tracker.dropRule(name, now));
    this.setRules(rules);
    return events;
  }

  ack(fingerprint: string, by: string, comment?: string): AlertEvent {
    return this.tracker.ack(fingerprint, by, comment, this.clock());
  }

  resolve(fingerprint: string, by: string, note: string): AlertEvent {
    return this.tracker.resolve(fingerprint, by, note, this.clock());
  }

  alerts(filter: { rule?: string; state?: AlertRecord['state'] } = {}): AlertRecord[] {
    return this.tracker.list(filter);
  }

  ruleHealth(): RuleHealth[] {
    return this.rules.map((r) => ({ ...this.health.get(r.name)! }));
  }

  private setRules(rules: readonly Rule[]): void {
    this.rules = evaluationOrder(rules);
    for (const r of this.rules) {
      const h = this.health.get(r.name);
      this.health.set(r.name, h && h.type === r.type ? h : { rule: r.name, type: r.type, active: 0 });
    }
    for (const name of [...this.health.keys()]) if (!this.rules.some((r) => r.name === name)) this.health.delete(name);
  }

  private operand(rule: CompositeRule, name: string, conditions: Map<string, Element[]>): Labels[] {
    if (rule.use === 'firing') return this.tracker.firingLabels(name);
    return (conditions.get(name) ?? []).map((e) => e.labels);
  }
}

function dataCondition(rule: Exclude<Rule, CompositeRule>, ctx: ConditionContext): Element[] {
  switch (rule.type) {
    case 'threshold':
      return thresholdCondition(rule, ctx);
    case 'anomaly':
      return anomalyCondition(rule, ctx);
    case 'absence':
      return absenceCondition(rule, ctx);
    case 'rate_of_change':
      return rateOfChangeCondition(rule, ctx);
    case 'forecast':
      return forecastCondition(rule, ctx);
  }
}

/**
 * AND / OR / NOT of other rules, per label set projected on `on`. The
 * candidates are the projections of every operand's label sets (and the empty
 * set when `on` is empty, so `not: X` alone works as a whole-rule condition).
 * Value: how many operands are true for the label set.
 */
export function compositeCondition(rule: CompositeRule, operand: (name: string) => Labels[]): Element[] {
  const sets = new Map<string, Map<string, Labels>>();
  const candidates = new Map<string, Labels>();
  for (const name of new Set(conditionRefs(rule.when))) {
    const set = new Map<string, Labels>();
    for (const l of operand(name)) {
      const p = project(l, rule.on);
      const k = labelsKey(p);
      set.set(k, p);
      candidates.set(k, p);
    }
    sets.set(name, set);
  }
  if (rule.on.length === 0) candidates.set('', {});
  const out: Element[] = [];
  for (const [key, labels] of candidates) {
    if (!holds(rule.when, key, sets)) continue;
    let n = 0;
    for (const s of sets.values()) if (s.has(key)) n++;
    out.push({ labels, value: n });
  }
  return out;
}

function holds(node: ConditionNode, key: string, sets: Map<string, Map<string, Labels>>): boolean {
  if ('rule' in node) return sets.get(node.rule)?.has(key) ?? false;
  if ('and' in node) return node.and.every((c) => holds(c, key, sets));
  if ('or' in node) return node.or.some((c) => holds(c, key, sets));
  return !holds(node.not, key, sets);
}

function project(labels: Labels, on: readonly string[]): Labels {
  const out: Record<string, string> = {};
  for (const n of on) {
    const v = labels[n];
    if (v !== undefined && v !== '') out[n] = v;
  }
  return out;
}

/** The alert for one element: labels (element, rule, alertname, severity) and rendered annotations. */
export function toActiveAlert(rule: Rule, e: Element): ActiveAlert {
  const labels: Record<string, string> = { ...e.labels };
  for (const [k, t] of Object.entries(rule.labels)) labels[k] = t.render({ labels: e.labels, value: e.value });
  labels.alertname = rule.name;
  labels.severity = rule.severity;
  const data = { labels, value: e.value };
  const a = rule.annotations;
  const annotations: Record<string, string> = {};
  for (const [k, t] of Object.entries(a.extra)) annotations[k] = t.render(data);
  if (a.title) annotations.title = a.title.render(data);
  if (a.summary) annotations.summary = a.summary.render(data);
  if (a.description) annotations.description = a.description.render(data);
  if (a.runbook_url) annotations.runbook_url = a.runbook_url.render(data);
  if (a.recommended_actions) annotations.recommended_actions = a.recommended_actions.map((t) => t.render(data)).join('\n');
  return { labels, annotations, value: e.value };
}

export interface BacktestAlert {
  fingerprint: string;
  labels: Labels;
  /** When it started firing. */
  at: number;
  /** When it resolved (absent: still firing at the end). */
  resolvedAt?: number;
}

export interface RuleBacktest {
  rule: string;
  type: Rule['type'];
  /** Times an alert of this rule started firing. */
  firings: number;
  alerts: BacktestAlert[];
  /** Evaluations that failed, with the first error. */
  errors: number;
  firstError?: string;
}

export interface BacktestReport {
  start: number;
  end: number;
  stepMs: number;
  evaluations: number;
  rules: RuleBacktest[];
}

export interface BacktestOptions {
  forecast?: ForecastProvider;
  keepResolvedMs?: number;
  flapping?: FlappingOptions | false;
}

/**
 * Replays the evaluator over stored history, evaluating at start, start+step,
 * ... up to end, and reports per rule how many times it would have fired, and
 * when. For `vigil rules backtest FILE --since 24h`.
 */
export function backtest(rules: readonly Rule[], store: SampleStore, start: number, end: number, stepMs: number, opts: BacktestOptions = {}): BacktestReport {
  if (!(stepMs > 0)) throw new RangeError('backtest step must be greater than 0');
  const ev = new RuleEvaluator({ store, rules, clock: () => start, ...opts });
  const report = new Map<string, RuleBacktest>(ev.ruleSet.map((r) => [r.name, { rule: r.name, type: r.type, firings: 0, alerts: [], errors: 0 }]));
  const open = new Map<string, BacktestAlert>();
  let evaluations = 0;
  for (let t = start; t <= end; t += stepMs) {
    evaluations++;
    for (const e of ev.evaluate(t)) {
      const r = report.get(e.rule ?? e.source);
      if (!r) continue;
      if (e.state === 'firing' && !open.has(e.fingerprint)) {
        const a: BacktestAlert = { fingerprint: e.fingerprint, labels: e.labels, at: t };
        open.set(e.fingerprint, a);
        r.alerts.push(a);
        r.firings++;
      } else if (e.state === 'resolved') {
        const a = open.get(e.fingerprint);
        if (a) a.resolvedAt = t;
        open.delete(e.fingerprint);
      }
    }
    for (const h of ev.ruleHealth()) {
      if (h.error === undefined || h.lastEvaluatedAt !== t) continue;
      const r = report.get(h.rule)!;
      r.errors++;
      r.firstError ??= h.error;
    }
  }
  return { start, end, stepMs, evaluations, rules: [...report.values()] };
}
