import { randomUUID } from 'node:crypto';
import type { Cron } from 'croner';
import type { AlertEvent, ScalingEvent } from '../core/events.js';
import { VigilError } from '../core/errors.js';
import { parseSelector, matchesAll, type CompiledMatcher } from '../core/matchers.js';
import type { Labels } from '../core/labels.js';
import type { Severity } from '../core/severity.js';
import type { Incident } from '../incidents/model.js';
import type { RemediationConfig } from '../config/sections/remediation.js';
import type { SampleStore } from '../store/types.js';
import type { AuditKind, AuditLog } from './audit-log.js';
import { realClock, type Clock } from './clock.js';
import { compileRemediation, type CompiledRule } from './compile.js';
import { pausedCron } from './cron.js';
import { isFinal, type Execution, type GuardName } from './execution.js';
import { BlastRadiusGuard } from './guards/blast-radius.js';
import { CircuitBreaker } from './guards/circuit-breaker.js';
import { confidence as computeConfidence } from './guards/confidence.js';
import { SlidingWindowLog } from './guards/sliding-window.js';
import { evaluateCondition } from './metric-condition.js';
import type { RemediationStore } from './remediation-store.js';
import { runRunbook, type CompiledRunbook } from './runbook-runner.js';
import { alertContext, incidentContext, matchIncident, scalingContext, scheduleContext, seriesContext, type TriggerContext } from './trigger-context.js';
import type { ActionHandler, ActionLogger } from './types.js';

/**
 * The remediation engine: automation rules matched against incidents, alerts,
 * metric conditions, scaling events and schedules; every match decided by the
 * guards (kill switch, silences and maintenance windows, circuit breaker,
 * cool-down, rate limit, blast radius, confidence), then dry-run, sent for
 * approval, or run as a runbook with verification and rollback. Every decision
 * goes to the hash-chained audit log; outcomes feed each rule's success rate
 * (its confidence) and circuit breaker.
 */

export interface RemediationNotice {
  title: string;
  text: string;
  severity: Severity;
  /** A channel by name (notify steps); else the notice is routed by its labels. */
  channel?: string;
  /** Approval requests: the execution and its signed links. */
  execution?: string;
  links?: { approve: string; reject: string };
}

export interface RemediationEngineOptions {
  config: RemediationConfig;
  handlers: ReadonlyMap<string, ActionHandler>;
  audit: AuditLog;
  state: RemediationStore;
  /** The store verification and metric triggers read. */
  store?: SampleStore;
  /** True when an active silence matches these labels: no action then. */
  isSilenced?: (labels: Labels) => boolean;
  /** Instances a service has (from the label index), for the blast-radius share. */
  instanceCount?: (service: string) => number | undefined;
  /** Pages a human (breaker opened, rollback, approval request). */
  notify?: (n: RemediationNotice) => void;
  /** Adds a line to an incident's timeline. */
  onIncidentAction?: (incidentId: string, text: string) => void;
  /** Signed approve/reject links for an execution, when links are configured. */
  approvalLinks?: (executionId: string, expiresAt: number) => { approve: string; reject: string } | undefined;
  clock?: Clock;
  env?: Readonly<Record<string, string | undefined>>;
  logger?: ActionLogger;
  vigilUrl?: () => string;
  configFile?: string;
}

export type ExecutionListener = (e: Execution) => void;

const silentLogger: ActionLogger = { info() {}, warn() {}, error() {} };

interface MaintenanceWindow {
  name: string;
  matchers?: CompiledMatcher[];
  cron: Cron;
  durationMs: number;
}

export class RemediationEngine {
  private rules: CompiledRule[];
  private runbooks: Map<string, CompiledRunbook>;
  private readonly clock: Clock;
  private readonly logger: ActionLogger;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly executionsById = new Map<string, Execution>();
  private readonly order: string[] = [];
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly listeners = new Set<ExecutionListener>();
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly runsLog = new SlidingWindowLog<string>();
  private readonly targetRuns = new SlidingWindowLog<string>();
  private readonly cooldowns = new Map<string, number>();
  private readonly blast: BlastRadiusGuard;
  /** Trigger occurrences already decided: one decision per rule and incident, alert episode, series episode, event. */
  private readonly decided = new Set<string>();
  private readonly incidentsSeen = new Map<string, Incident>();
  private readonly incidentMatches = new SlidingWindowLog<string>();
  private readonly alertFirings = new SlidingWindowLog<string>();
  /** Metric-trigger episodes per rule and series: when the condition began to hold, and whether that episode was decided. */
  private readonly metricEpisodes = new Map<string, Map<string, { since: number; decided: boolean }>>();
  private readonly schedules = new Map<string, { cron: Cron; next: number }>();
  private readonly maintenance: MaintenanceWindow[];
  private killSwitch: boolean;
  private closed = false;

  constructor(private readonly o: RemediationEngineOptions) {
    this.clock = o.clock ?? realClock;
    this.logger = o.logger ?? silentLogger;
    this.env = o.env ?? process.env;
    const compiled = compileRemediation(o.config, o.handlers, o.configFile);
    this.rules = compiled.rules;
    this.runbooks = compiled.runbooks;
    this.blast = new BlastRadiusGuard(o.instanceCount);
    this.maintenance = o.config.maintenance.map((m) => ({ name: m.name, ...(m.matchers && { matchers: parseSelector(m.matchers) }), cron: pausedCron(m.cron, m.timezone), durationMs: m.duration }));
    const saved = o.state.setting('killSwitch');
    this.killSwitch = saved !== undefined ? saved === 'on' : o.config.killSwitch;
    for (const e of o.state.executions(1000).reverse()) this.remember(e);
    // Executions cut short by a restart: a pending approval stays pending; one that was running is not resumed (its state is unknown).
    for (const e of o.state.unfinished()) {
      if (e.state !== 'running') continue;
      this.update(e, { state: 'aborted', reason: 'Vigil restarted while it was running; check the target by hand', endedAt: this.clock.now() });
      this.audit('aborted', e, 'vigil', `execution ${e.id} was running when Vigil stopped; not resumed`);
    }
    this.scheduleAll(this.clock.now());
  }

  // ---- inputs -------------------------------------------------------------

  observeIncident(inc: Incident): void {
    if (this.closed) return;
    if (inc.state === 'resolved' || inc.state === 'mitigated') {
      this.incidentsSeen.delete(inc.id);
      // A resolved incident is never decided again: forget its keys so a long-running Vigil does not accumulate them.
      if (inc.state === 'resolved') for (const r of this.rules) this.decided.delete(`${r.name}|incident|${inc.id}`);
      return;
    }
    this.incidentsSeen.set(inc.id, inc);
    this.decideIncidents(this.clock.now());
  }

  observeAlert(e: AlertEvent): void {
    if (this.closed) return;
    for (const r of this.rules) {
      const t = r.trigger.alert;
      if (!t || !r.enabled) continue;
      const key = `${r.name}|alert|${e.fingerprint}`;
      if (e.state !== 'firing') {
        this.decided.delete(key);
        continue;
      }
      if (this.decided.has(key) || !matchesAll(r.alertMatchers!, e.labels)) continue;
      const now = this.clock.now();
      // The log holds each fingerprint once per window, so its length counts distinct alerts.
      const recent = this.alertFirings.within(r.name, now, t.within);
      const isNew = !recent.includes(e.fingerprint);
      if (isNew) this.alertFirings.add(r.name, now, e.fingerprint);
      if (recent.length + (isNew ? 1 : 0) < t.count) continue;
      this.decided.add(key);
      this.consider(r, alertContext(e));
    }
  }

  observeScaling(e: ScalingEvent): void {
    if (this.closed) return;
    for (const r of this.rules) {
      const t = r.trigger.forecast;
      if (!t || !r.enabled || !t.actions.includes(e.action as 'SCALE_SOON') || (t.name !== undefined && t.name !== e.name)) continue;
      // Each scaling event is delivered once (a changed recommendation), so it needs no de-duplication.
      this.consider(r, scalingContext(e));
    }
  }

  /** Metric triggers, schedules, settled incidents and approval expiry; call every few seconds (the app does). */
  tick(now = this.clock.now()): void {
    if (this.closed) return;
    this.decideIncidents(now);
    this.evaluateMetricTriggers(now);
    for (const r of this.rules) {
      const s = this.schedules.get(r.name);
      if (!s || now < s.next) continue;
      const at = s.next;
      s.next = s.cron.nextRun(new Date(now))?.getTime() ?? Infinity;
      if (r.enabled) this.consider(r, scheduleContext(r.name, at));
    }
    for (const e of this.executionsById.values()) {
      if (e.state === 'pending_approval' && e.approval && now >= e.approval.expiresAt) {
        this.update(e, { state: 'rejected', guard: 'approval', reason: 'approval request expired', endedAt: now, approval: { ...e.approval, decision: 'rejected', at: now, by: 'vigil' } });
        this.audit('rejected', e, 'vigil', `approval for ${e.rule} expired`);
      }
    }
  }

  private decideIncidents(now: number): void {
    for (const inc of this.incidentsSeen.values()) {
      for (const r of this.rules) {
        const t = r.trigger.incident;
        if (!t || !r.enabled) continue;
        const key = `${r.name}|incident|${inc.id}`;
        if (this.decided.has(key) || now - inc.openedAt < t.settle) continue;
        const quality = matchIncident(inc, t);
        if (quality === undefined) continue;
        if (t.count > 1) {
          // Only incidents that match the trigger count towards `count`.
          const matched = this.incidentMatches.within(r.name, now, t.within);
          const isNew = !matched.includes(inc.id);
          if (isNew) this.incidentMatches.add(r.name, now, inc.id);
          if (matched.length + (isNew ? 1 : 0) < t.count) continue;
        }
        this.decided.add(key);
        const ctx = incidentContext(inc, this.o.vigilUrl?.());
        this.consider(r, { ...ctx, matchQuality: quality });
      }
    }
  }

  private evaluateMetricTriggers(now: number): void {
    if (!this.o.store) return;
    for (const r of this.rules) {
      const t = r.trigger.metric;
      if (!t || !r.enabled) continue;
      let res;
      try {
        res = evaluateCondition(this.o.store, { query: t.query, overMs: t.over, fn: t.fn, match: 'any', op: t.op, value: t.value }, { vars: r.vars }, now);
      } catch (err) {
        this.logger.warn({ rule: r.name, err: (err as Error).message }, 'metric trigger failed');
        continue;
      }
      let episodes = this.metricEpisodes.get(r.name);
      if (!episodes) this.metricEpisodes.set(r.name, (episodes = new Map()));
      const seen = new Set<string>();
      for (const s of res.series) {
        const id = JSON.stringify(s.labels);
        seen.add(id);
        if (!s.ok) {
          episodes.delete(id);
          continue;
        }
        let ep = episodes.get(id);
        if (!ep) episodes.set(id, (ep = { since: now, decided: false }));
        if (now - ep.since < t.for || ep.decided) continue;
        ep.decided = true;
        this.consider(r, seriesContext(s.labels, s.value, id, `${t.query} ${t.fn} = ${+s.value.toPrecision(4)} ${t.op} ${t.value} for ${Math.round((now - ep.since) / 1000)} s`));
      }
      // A series that vanished ends its episode.
      for (const id of episodes.keys()) if (!seen.has(id)) episodes.delete(id);
    }
  }

  // ---- decisions ----------------------------------------------------------

  private breaker(r: CompiledRule): CircuitBreaker {
    let b = this.breakers.get(r.name);
    if (!b) this.breakers.set(r.name, (b = new CircuitBreaker(r.circuitBreaker.failures, r.circuitBreaker.openFor, this.o.state.stats(r.name).breaker)));
    return b;
  }

  private inMaintenance(labels: Labels, now: number): string | undefined {
    for (const m of this.maintenance) {
      if (m.matchers && !matchesAll(m.matchers, labels)) continue;
      // The latest start at or before now (a start exactly now counts).
      const prev = m.cron.previousRuns(1, new Date(now + 1))[0];
      if (prev && now < prev.getTime() + m.durationMs) return m.name;
    }
    return undefined;
  }

  private consider(r: CompiledRule, ctx: TriggerContext): Execution {
    const now = this.clock.now();
    const book = this.runbooks.get(r.runbook)!;
    const stats = this.o.state.stats(r.name);
    const conf = computeConfidence({ matchQuality: ctx.matchQuality, rootCauseScore: ctx.rootCauseScore, successes: stats.successes, failures: stats.failures });
    const vars = { ...ctx.vars, rule: r.name, vars: r.vars };
    const id = `rx-${randomUUID().slice(0, 13)}`;
    const ex: Execution = {
      id,
      rule: r.name,
      runbook: r.runbook,
      state: 'skipped',
      trigger: ctx.trigger,
      subject: ctx.subject,
      targets: [],
      confidence: conf,
      dryRun: r.dryRun,
      createdAt: now,
      updatedAt: now,
      reason: '',
      vars: { ...vars, execution: id },
    };
    this.audit('matched', ex, 'vigil', `${r.name} matched ${ctx.trigger.text} (confidence ${conf.value.toFixed(2)})`, { confidence: conf, subject: ctx.subject });
    const skip = (guard: GuardName, reason: string): Execution => {
      this.update(ex, { guard, reason });
      this.audit('skipped', ex, 'vigil', `${r.name} skipped: ${reason}`, { guard });
      return ex;
    };
    // Render every step's targets first: a template that cannot be filled stops it here.
    try {
      const targets = new Set<string>();
      for (const s of book.steps) for (const t of s.handler.targets(s.params, ex.vars)) targets.add(t);
      ex.targets = [...targets];
      ex.plan = book.steps.map((s) => `${s.id}: ${s.handler.describe(s.params, ex.vars)}`);
    } catch (e) {
      return skip('template', (e as Error).message);
    }
    if (this.killSwitch) return skip('kill_switch', 'the kill switch is on');
    const labels = { ...ctx.labels, ...ctx.subject };
    if (this.o.isSilenced?.(labels)) return skip('silenced', `a silence matches ${JSON.stringify(labels)}`);
    const mw = this.inMaintenance(labels, now);
    if (mw) return skip('silenced', `maintenance window ${mw} is active`);
    const breaker = this.breaker(r);
    if (!breaker.allow(now)) return skip('circuit_breaker', `circuit breaker is ${breaker.state(now)} after ${breaker.snapshot().consecutiveFailures} consecutive failures`);
    const coolKey = `${r.name}|${ctx.subject.service ?? ''}|${ctx.subject.instance ?? ''}`;
    const coolUntil = this.cooldowns.get(coolKey);
    if (coolUntil !== undefined && now < coolUntil) return skip('cooldown', `cooling down on ${ctx.subject.service ?? 'its target'}${ctx.subject.instance ? `/${ctx.subject.instance}` : ''} for ${Math.ceil((coolUntil - now) / 1000)} s more`);
    const recent = this.runsLog.within(r.name, now, r.rateLimit.per);
    if (recent.length >= r.rateLimit.max) return skip('rate_limit', `rate limit: ${recent.length} runs within ${r.rateLimit.per / 60_000} min (max ${r.rateLimit.max})`);
    const tl = this.o.config.defaults.targetRateLimit;
    for (const t of ex.targets) {
      const n = this.targetRuns.within(t, now, tl.per).length;
      if (n >= tl.max) return skip('rate_limit', `rate limit: ${t} was acted on ${n} times within ${tl.per / 60_000} min by any rule (max ${tl.max})`);
    }
    const blast = this.blast.check(r.name, ex.targets, ctx.subject, { maxTargets: r.blastRadius.maxTargets, maxServiceShare: r.blastRadius.maxServiceShare, windowMs: r.blastRadius.window }, now);
    if (!blast.ok) return skip('blast_radius', blast.reason);
    if (conf.value < r.minConfidence)
      return skip('confidence', `confidence ${conf.value.toFixed(2)} < ${r.minConfidence} (match ${conf.matchQuality.toFixed(2)}, root cause ${conf.rootCauseScore.toFixed(2)}, success rate ${conf.successRate.toFixed(2)})`);
    // Passed every guard: it counts against the limits whether it runs, waits for approval or is a dry run,
    // so a dry run shows what the limits would have allowed.
    this.runsLog.add(r.name, now, ex.id);
    for (const t of ex.targets) this.targetRuns.add(t, now, ex.id);
    this.cooldowns.set(coolKey, now + r.cooldown);
    this.blast.record(r.name, ex.targets, ctx.subject, now);
    if (r.dryRun) {
      this.update(ex, { state: 'dry_run', reason: `dry run: would run ${r.runbook} on ${ex.targets.join(', ') || 'no target'}` });
      this.audit('dry_run', ex, 'vigil', `${r.name} (dry run) would run: ${ex.plan!.join('; ')}`, { plan: ex.plan, targets: ex.targets });
      this.timeline(ex, `dry run: ${r.name} would run runbook ${r.runbook} (${ex.plan!.join('; ')})`);
      return ex;
    }
    if (r.approval) {
      const expiresAt = now + this.o.config.defaults.approvalTimeout;
      this.update(ex, { state: 'pending_approval', reason: 'waiting for approval', approval: { requestedAt: now, expiresAt } });
      this.audit('approval_requested', ex, 'vigil', `${r.name} asks for approval to run ${r.runbook}: ${ex.plan!.join('; ')}`, { expiresAt });
      this.timeline(ex, `approval requested: ${r.name} would run ${r.runbook}`);
      const links = this.o.approvalLinks?.(ex.id, expiresAt);
      this.o.notify?.({
        title: `Approval needed: ${r.name} (${r.runbook})`,
        text: `${ctx.trigger.text}\nWould run: ${ex.plan!.join('; ')}\nConfidence ${conf.value.toFixed(2)}. Approve with \`vigil remediation approve ${ex.id}\`${links ? ` or ${links.approve}` : ''}.`,
        severity: r.severity,
        execution: ex.id,
        ...(links && { links }),
      });
      return ex;
    }
    this.start(ex, r, book);
    return ex;
  }

  private start(ex: Execution, r: CompiledRule, book: CompiledRunbook): void {
    const now = this.clock.now();
    this.breaker(r).started(now);
    this.update(ex, { state: 'running', startedAt: now, reason: 'running' });
    this.audit('started', ex, 'vigil', `${r.name} runs ${r.runbook} on ${ex.targets.join(', ') || 'no target'}`, { targets: ex.targets, confidence: ex.confidence });
    this.timeline(ex, `remediation started: ${r.name} runs ${r.runbook}`);
    const controller = new AbortController();
    const done = this.execute(ex, r, book, controller.signal).finally(() => this.running.delete(ex.id));
    this.running.set(ex.id, { controller, done });
  }

  private async execute(ex: Execution, r: CompiledRule, book: CompiledRunbook, signal: AbortSignal): Promise<void> {
    let outcome;
    try {
      outcome = await runRunbook(book, {
        vars: ex.vars,
        signal,
        clock: this.clock,
        env: this.env,
        logger: this.logger,
        ...(this.o.store && { store: this.o.store }),
        record: (kind, text, data) => this.audit(kind, ex, 'vigil', text, data),
      });
    } catch (e) {
      outcome = { result: 'failed' as const, reason: `runbook crashed: ${(e as Error).message}`, steps: [] };
    }
    const now = this.clock.now();
    this.update(ex, { state: outcome.result, reason: outcome.reason, endedAt: now, steps: outcome.steps, ...(outcome.verification && { verification: outcome.verification }), ...(outcome.rollback && { rollback: outcome.rollback }) });
    this.audit(outcome.result === 'aborted' ? 'aborted' : 'finished', ex, 'vigil', `${r.name} ${outcome.result}: ${outcome.reason}`, { result: outcome.result });
    this.timeline(ex, `remediation ${outcome.result.replace('_', ' ')}: ${r.name} — ${outcome.reason}`);
    if (outcome.result === 'aborted') return;
    // Learning: the outcome moves the rule's success rate (its confidence) and its breaker.
    const stats = this.o.state.stats(r.name);
    const breaker = this.breaker(r);
    const ok = outcome.result === 'succeeded';
    const change = ok ? breaker.success() : breaker.failure(now);
    this.o.state.saveStats({ rule: r.name, successes: stats.successes + (ok ? 1 : 0), failures: stats.failures + (ok ? 0 : 1), breaker: breaker.snapshot() });
    if (outcome.result === 'rolled_back')
      this.o.notify?.({ title: `Remediation rolled back: ${r.name}`, text: `${ex.trigger.text}\n${outcome.reason}`, severity: r.severity, execution: ex.id });
    if (change === 'opened') {
      this.audit('breaker_opened', ex, 'vigil', `circuit breaker of ${r.name} opened after ${breaker.snapshot().consecutiveFailures} consecutive failures; a human must look`);
      this.o.notify?.({ title: `Automation paused: ${r.name}`, text: `${breaker.snapshot().consecutiveFailures} consecutive failures; the rule stops acting for ${Math.round(r.circuitBreaker.openFor / 60_000)} min. Last: ${outcome.reason}`, severity: r.severity, execution: ex.id });
    } else if (change === 'closed') this.audit('breaker_closed', ex, 'vigil', `circuit breaker of ${r.name} closed after a successful trial`);
  }

  // ---- people -------------------------------------------------------------

  approve(id: string, by: string, comment?: string): Execution {
    const ex = this.pending(id);
    const r = this.rules.find((x) => x.name === ex.rule);
    const book = r && this.runbooks.get(r.runbook);
    if (!r || !book) throw new VigilError('RULE_GONE', `rule ${ex.rule} no longer exists`, 409);
    const now = this.clock.now();
    this.update(ex, { approval: { ...ex.approval!, by, at: now, decision: 'approved', ...(comment && { comment }) } });
    this.audit('approved', ex, by, `${by} approved ${ex.rule}${comment ? `: ${comment}` : ''}`);
    if (this.killSwitch) {
      this.update(ex, { state: 'skipped', guard: 'kill_switch', reason: 'approved, but the kill switch is on', endedAt: now });
      this.audit('skipped', ex, 'vigil', `${ex.rule} approved but not run: the kill switch is on`, { guard: 'kill_switch' });
      return ex;
    }
    this.start(ex, r, book);
    return ex;
  }

  reject(id: string, by: string, comment?: string): Execution {
    const ex = this.pending(id);
    const now = this.clock.now();
    this.update(ex, { state: 'rejected', guard: 'approval', reason: `rejected by ${by}${comment ? `: ${comment}` : ''}`, endedAt: now, approval: { ...ex.approval!, by, at: now, decision: 'rejected', ...(comment && { comment }) } });
    this.audit('rejected', ex, by, `${by} rejected ${ex.rule}${comment ? `: ${comment}` : ''}`);
    this.timeline(ex, `remediation rejected by ${by}: ${ex.rule}`);
    return ex;
  }

  private pending(id: string): Execution {
    const ex = this.executionsById.get(id);
    if (!ex) throw new VigilError('NOT_FOUND', `no execution ${id}`, 404);
    if (ex.state !== 'pending_approval') throw new VigilError('NOT_PENDING', `execution ${id} is ${ex.state}, not waiting for approval`, 409);
    return ex;
  }

  /** The global kill switch: on aborts every running execution and stops all new ones until turned off. */
  setKillSwitch(on: boolean, by: string, reason = ''): void {
    this.killSwitch = on;
    this.o.state.setSetting('killSwitch', on ? 'on' : 'off');
    this.o.audit.append({ kind: 'kill_switch', actor: by, text: `${by} turned the kill switch ${on ? 'on' : 'off'}${reason ? `: ${reason}` : ''}`, data: { on, running: this.running.size } });
    if (on) for (const { controller } of this.running.values()) controller.abort(new Error(`kill switch turned on by ${by}`));
  }

  get killSwitchOn(): boolean {
    return this.killSwitch;
  }

  // ---- reading ------------------------------------------------------------

  executions(filter: { state?: string; rule?: string; incident?: string; limit?: number } = {}): Execution[] {
    const out: Execution[] = [];
    for (let i = this.order.length - 1; i >= 0 && out.length < (filter.limit ?? 500); i--) {
      const e = this.executionsById.get(this.order[i]!)!;
      if (filter.state && e.state !== filter.state) continue;
      if (filter.rule && e.rule !== filter.rule) continue;
      if (filter.incident && e.trigger.incidentId !== filter.incident) continue;
      out.push(e);
    }
    return out;
  }

  get(id: string): Execution | undefined {
    return this.executionsById.get(id);
  }

  ruleStatus(): Array<{ name: string; enabled: boolean; dryRun: boolean; approval: boolean; trigger: string; runbook: string; successes: number; failures: number; breaker: string; minConfidence: number }> {
    const now = this.clock.now();
    return this.rules.map((r) => {
      const s = this.o.state.stats(r.name);
      return { name: r.name, enabled: r.enabled, dryRun: r.dryRun, approval: r.approval, trigger: Object.keys(r.trigger).find((k) => r.trigger[k as keyof typeof r.trigger])!, runbook: r.runbook, successes: s.successes, failures: s.failures, breaker: this.breaker(r).state(now), minConfidence: r.minConfidence };
    });
  }

  onExecution(l: ExecutionListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Resolves once nothing is running (tests and benchmarks). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** Swaps in a new configuration (reload); running executions finish under the old one. */
  reload(config: RemediationConfig): void {
    const compiled = compileRemediation(config, this.o.handlers, this.o.configFile);
    this.rules = compiled.rules;
    this.runbooks = compiled.runbooks;
    this.breakers.clear();
    this.schedules.clear();
    this.scheduleAll(this.clock.now());
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { controller } of this.running.values()) controller.abort(new Error('Vigil is stopping'));
    await this.idle();
  }

  // ---- internals ----------------------------------------------------------

  private scheduleAll(now: number): void {
    for (const r of this.rules) {
      const t = r.trigger.schedule;
      if (!t) continue;
      const cron = pausedCron(t.cron, t.timezone);
      this.schedules.set(r.name, { cron, next: cron.nextRun(new Date(now))?.getTime() ?? Infinity });
    }
  }

  private remember(e: Execution): void {
    if (!this.executionsById.has(e.id)) this.order.push(e.id);
    this.executionsById.set(e.id, e);
    // Keep the newest 5,000 in memory; the store keeps them all.
    while (this.order.length > 5000) {
      const old = this.executionsById.get(this.order[0]!);
      if (old && !isFinal(old.state)) break;
      this.executionsById.delete(this.order.shift()!);
    }
  }

  private update(e: Execution, patch: Partial<Execution>): void {
    Object.assign(e, patch, { updatedAt: this.clock.now() });
    this.remember(e);
    this.o.state.saveExecution(e);
    this.emit(e);
  }

  private emit(e: Execution): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.logger.error({ err: (err as Error).message }, 'execution listener failed');
      }
    }
  }

  private audit(kind: AuditKind, e: Execution, actor: string, text: string, data?: Record<string, unknown>): void {
    this.o.audit.append({ kind, rule: e.rule, execution: e.id, ...(e.trigger.incidentId && { incident: e.trigger.incidentId }), actor, text, ...(data && { data }) });
  }

  private timeline(e: Execution, text: string): void {
    if (e.trigger.incidentId) this.o.onIncidentAction?.(e.trigger.incidentId, text);
  }
}
