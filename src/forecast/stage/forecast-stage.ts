import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Labels } from '../../core/labels.js';
import type { CompiledMatcher } from '../../core/matchers.js';
import type { ScalingEvent } from '../../core/events.js';
import type { SampleStore, SeriesData } from '../../store/types.js';
import type { CapacityConfig, ForecastConfig, ScalingConfig } from '../../config/sections/forecast.js';
import { autoForecast } from '../auto.js';
import { assessCapacity, type CapacityRisk } from '../capacity/capacity.js';
import { firstCrossing } from '../capacity/crossing.js';
import { riskRank } from '../capacity/risk.js';
import { recommendScaling, type ScalingRecommendation } from '../scaling/recommend.js';
import { rightsize, type RightsizeFinding } from '../rightsizing/rightsize.js';
import { Companions } from './companions.js';
import { resample } from './grid.js';
import { forecastSamples, type ForecastFn, type SeriesForecast } from './series-forecast.js';
import { linearForecast } from './linear.js';
import { chooseByHoldout } from './holdout-choice.js';
import { LstmModels, type LstmStatus } from './lstm-models.js';

/**
 * The forecasting stage of the service: on a schedule (and on demand) it
 * reads history from the store and computes capacity risks, scaling
 * recommendations and right-sizing findings; it answers forecast rules of the
 * alerting stage (`timeToCross`), forecasts any series for the API, and
 * trains the configured LSTM models in the background. A changed scaling
 * recommendation is emitted as a ScalingEvent.
 */
export interface ForecastStageOptions {
  store: SampleStore;
  config: ForecastConfig;
  /** Models are saved under `<dataDir>/forecast/lstm`. */
  dataDir: string;
  clock?: () => number;
  /** Default: per series, autoForecast or a least-squares line, whichever forecast the series' recent past better. */
  forecaster?: ForecastFn;
  /** Time one rule evaluation may spend on the model, ms (default 250). */
  ruleBudgetMs?: number;
  logger?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

export interface ScalingEntry extends ScalingRecommendation {
  name: string;
  seriesId: string;
  labels: Labels;
  model: string;
  horizonMs: number;
  evaluatedAt: number;
}

export interface RightsizingEntry extends RightsizeFinding {
  name: string;
  seriesId: string;
  labels: Labels;
  windowMs: number;
  evaluatedAt: number;
}

/** The result of the rules' question, in the alerting stage's ForecastProvider shape. */
export interface CrossingAnswer {
  at: number | null;
  value: number;
  upper: number;
  lower: number;
}

export interface SeriesForecastRequest {
  horizonMs: number;
  windowMs?: number;
  stepMs?: number;
  /** auto (default), linear (least-squares line) or lstm (the series' trained model). */
  model?: 'auto' | 'linear' | 'lstm';
  now?: number;
}

export interface SeriesForecastView {
  seriesId: string;
  labels: Labels;
  stepMs: number;
  season: number;
  model: string;
  level: number;
  /** History on the forecast's grid: [unix ms, value]. */
  history: Array<[number, number]>;
  /** [unix ms, mean, lower, upper]. */
  forecast: Array<[number, number, number, number]>;
}

/** Time a rule evaluation may spend on the automatic model; past it, series get a straight line until the next evaluation. */
const RULE_BUDGET_MS = 250;
const DEFAULT_FORECASTER = chooseByHoldout([autoForecast, linearForecast]);
/** Most raw samples one on-demand forecast reads (as the read API's guard). */
const MAX_SAMPLES_READ = 5_000_000;

export class ForecastStage {
  readonly lstm: LstmModels;
  private readonly store: SampleStore;
  private readonly clock: () => number;
  private readonly forecaster: ForecastFn;
  private capacity: CapacityRisk[] = [];
  private scaling: ScalingEntry[] = [];
  private rightsizingFindings: RightsizingEntry[] = [];
  private readonly lastAction = new Map<string, ScalingEvent['action']>();
  private readonly events: ScalingEvent[] = [];
  private readonly listeners = new Set<(e: ScalingEvent) => void>();
  private readonly ruleCache = new Map<string, { at: number; f: SeriesForecast | null; cheap: boolean }>();
  private ruleBudget = { now: NaN, spentMs: 0 };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private eventSeq = 0;
  lastRefresh: number | undefined;

  constructor(private readonly opts: ForecastStageOptions) {
    this.store = opts.store;
    this.clock = opts.clock ?? Date.now;
    this.forecaster = opts.forecaster ?? DEFAULT_FORECASTER;
    this.lstm = new LstmModels({ store: opts.store, config: opts.config.lstm, dir: join(opts.dataDir, 'forecast', 'lstm'), clock: this.clock, logger: opts.logger });
  }

  get config(): ForecastConfig {
    return this.opts.config;
  }

  onEvent(l: (e: ScalingEvent) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Refreshes now and then every `interval` (timers unref'd); starts LSTM training. */
  start(): void {
    if (this.timer) return;
    const tick = () => void this.refresh().catch((e: unknown) => this.opts.logger?.warn({ err: (e as Error).message }, 'forecast refresh failed'));
    this.timer = setInterval(tick, this.opts.config.interval);
    this.timer.unref();
    setTimeout(tick, 0).unref();
    this.lstm.start();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.lstm.close();
    await this.running?.catch(() => undefined);
  }

  /** One pass over every capacity, scaling and right-sizing entry; concurrent calls share the pass. */
  refresh(now = this.clock()): Promise<void> {
    this.running ??= this.pass(now).finally(() => (this.running = undefined));
    return this.running;
  }

  capacityRisks(): CapacityRisk[] {
    return this.capacity;
  }

  scalingRecommendations(): ScalingEntry[] {
    return this.scaling;
  }

  rightsizing(): RightsizingEntry[] {
    return this.rightsizingFindings;
  }

  /** Scaling events, oldest first, at or after `since` (ms). */
  recentEvents(since = 0): ScalingEvent[] {
    return this.events.filter((e) => e.t >= since);
  }

  lstmStatus(): LstmStatus[] {
    return this.lstm.status();
  }

  /** Forecasts every series the matchers select (at most `maxSeries`), yielding to the event loop between series. */
  async forecastSeries(matchers: readonly CompiledMatcher[], req: SeriesForecastRequest, maxSeries = 50): Promise<SeriesForecastView[]> {
    const now = req.now ?? this.clock();
    const windowMs = req.windowMs ?? Math.min(28 * 86_400_000, Math.max(3_600_000, 4 * req.horizonMs));
    const data = this.store.read(matchers, now - windowMs, now);
    if (data.length > maxSeries) throw new RangeError(`the selector matches ${data.length} series; at most ${maxSeries} can be forecast at once`);
    let samples = 0;
    for (const d of data) samples += d.timestamps.length;
    if (samples > MAX_SAMPLES_READ) throw new RangeError(`the window holds ${samples} samples of the selected series, over ${MAX_SAMPLES_READ}; shorten window or narrow the selector`);
    const out: SeriesForecastView[] = [];
    for (const s of data) {
      let f: SeriesForecast | null;
      if (req.model === 'lstm') {
        const m = this.lstm.forecasterFor(s.id);
        if (!m) throw new RangeError(`no trained LSTM model for series ${s.id} (configure forecast.lstm.series and wait for training)`);
        f = forecastSamples(s.timestamps, s.values, (y, h, o) => m.forecaster.forecast(y, h, o), { ...this.gridOptions(now, windowMs, req.horizonMs), stepMs: m.stepMs });
      } else f = forecastSamples(s.timestamps, s.values, req.model === 'linear' ? linearForecast : this.forecaster, { ...this.gridOptions(now, windowMs, req.horizonMs), stepMs: req.stepMs });
      if (f) out.push(view(s, f));
      await yieldToLoop();
    }
    return out;
  }

  /**
   * The alerting stage's forecast-rule question: when, within `horizonMs`,
   * does this series reach `limit`? Fitted on the rule's window (`ctx.data`)
   * with the automatic model; a series' forecast is reused for `interval`.
   * The evaluator is synchronous, so one evaluation spends at most
   * RULE_BUDGET_MS on the automatic model; series beyond it get a
   * least-squares line, replaced by the model at a later evaluation.
   */
  timeToCross(seriesId: string, limit: number, horizonMs: number, ctx?: { now: number; windowMs: number; direction?: 'above' | 'below'; data?: { timestamps: ArrayLike<number>; values: ArrayLike<number> } }): CrossingAnswer {
    const none: CrossingAnswer = { at: null, value: NaN, upper: NaN, lower: NaN };
    if (!ctx?.data) return none;
    const key = `${seriesId}\u0000${ctx.windowMs}\u0000${horizonMs}`;
    let hit = this.ruleCache.get(key);
    if (this.ruleBudget.now !== ctx.now) this.ruleBudget = { now: ctx.now, spentMs: 0 };
    const expired = !hit || ctx.now - hit.at >= this.opts.config.interval || ctx.now < hit.at;
    const affordable = this.ruleBudget.spentMs < (this.opts.ruleBudgetMs ?? RULE_BUDGET_MS);
    if (!hit || expired || (hit.cheap && affordable)) {
      const started = performance.now();
      const fn = affordable ? this.forecaster : linearForecast;
      let f: SeriesForecast | null = null;
      try {
        f = forecastSamples(ctx.data.timestamps, ctx.data.values, fn, this.gridOptions(ctx.now, ctx.windowMs, horizonMs));
      } catch (e) {
        this.opts.logger?.warn({ series: seriesId, err: (e as Error).message }, 'forecast for a rule failed');
      }
      if (affordable) this.ruleBudget.spentMs += performance.now() - started;
      hit = { at: ctx.now, f, cheap: !affordable };
      this.ruleCache.set(key, hit);
      if (this.ruleCache.size > 100_000) this.ruleCache.clear();
    }
    const f = hit.f;
    if (!f) return none;
    const { mean, lower, upper } = f.result;
    const end = ctx.now + horizonMs;
    // The index of the last forecast point within the horizon.
    const last = Math.max(0, Math.min(mean.length - 1, Math.floor((end - f.origin) / f.grid.stepMs) - 1));
    const v0 = f.grid.values[f.grid.values.length - 1]!;
    const t = firstCrossing(mean.subarray(0, last + 1), f.origin, v0, f.grid.stepMs, limit, ctx.direction ?? 'above');
    return { at: t === null || t > end ? null : Math.max(t, ctx.now), value: mean[last]!, upper: upper[last]!, lower: lower[last]! };
  }

  private gridOptions(now: number, windowMs: number, horizonMs: number) {
    const c = this.opts.config;
    return { now, windowMs, horizonMs, level: c.level, maxHistoryPoints: c.maxHistoryPoints, maxHorizonSteps: c.maxHorizonSteps };
  }

  private async pass(now: number): Promise<void> {
    const c = this.opts.config;
    const capacity: CapacityRisk[] = [];
    for (const entry of c.capacity) capacity.push(...(await this.assessEntry(entry, now)));
    capacity.sort((a, b) => riskRank(a.risk) - riskRank(b.risk) || (a.at ?? Infinity) - (b.at ?? Infinity));
    this.capacity = capacity;
    const scaling: ScalingEntry[] = [];
    for (const entry of c.scaling) scaling.push(...(await this.scaleEntry(entry, now)));
    this.scaling = scaling;
    this.rightsizingFindings = await this.rightsizeAll(now);
    this.lastRefresh = now;
  }

  private async assessEntry(entry: CapacityConfig, now: number): Promise<CapacityRisk[]> {
    const data = this.store.read(entry.match.matchers, now - entry.window, now);
    const limits = entry.limitFrom ? new Companions(this.store.read(entry.limitFrom.matchers, now - entry.window, now), entry.on) : undefined;
    const risk = entry.risk ? { highMs: entry.risk.high, mediumMs: entry.risk.medium } : { highMs: this.opts.config.risk.high, mediumMs: this.opts.config.risk.medium };
    const out: CapacityRisk[] = [];
    for (const s of data) {
      const raw = limits ? limits.valueFor(s.labels) : entry.limit;
      if (raw === undefined) continue;
      const f = this.safeForecast(s, entry.name, { ...this.gridOptions(now, entry.window, entry.horizon), stepMs: entry.step }, entry.model === 'linear' ? linearForecast : this.forecaster);
      if (f) out.push(assessCapacity(f, { name: entry.name, seriesId: s.id, labels: s.labels, limit: raw * entry.limitScale, direction: entry.direction, horizonMs: entry.horizon, risk, now }));
      await yieldToLoop();
    }
    return out;
  }

  private async scaleEntry(entry: ScalingConfig, now: number): Promise<ScalingEntry[]> {
    const data = this.store.read(entry.match.matchers, now - entry.window, now);
    const replicas = entry.replicasFrom ? new Companions(this.store.read(entry.replicasFrom.matchers, now - entry.window, now)) : undefined;
    const out: ScalingEntry[] = [];
    for (const s of data) {
      const f = this.safeForecast(s, entry.name, { ...this.gridOptions(now, entry.window, entry.horizon), stepMs: entry.step });
      if (f) {
        const r = replicas ? replicas.valueFor(s.labels) : entry.replicas;
        const rec = recommendScaling(f, { ...entry, replicas: r === undefined ? undefined : Math.max(1, Math.round(r)) });
        const e: ScalingEntry = { ...rec, name: entry.name, seriesId: s.id, labels: s.labels, model: f.result.model, horizonMs: entry.horizon, evaluatedAt: now };
        out.push(e);
        this.emitOnChange(e);
      }
      await yieldToLoop();
    }
    return out;
  }

  private async rightsizeAll(now: number): Promise<RightsizingEntry[]> {
    const rs = this.opts.config.rightsizing;
    const out: RightsizingEntry[] = [];
    for (const entry of rs.resources) {
      const data = this.store.read(entry.match.matchers, now - rs.window, now);
      const alloc = entry.allocationFrom ? new Companions(this.store.read(entry.allocationFrom.matchers, now - rs.window, now), entry.on) : undefined;
      for (const s of data) {
        const allocation = alloc ? alloc.valueFor(s.labels) : entry.allocation;
        if (allocation === undefined || s.timestamps.length === 0) continue;
        const g = resample(s.timestamps, s.values, now - rs.window, now, rs.step);
        const coverage = Math.min(1, (g.values.length * rs.step) / rs.window);
        const finding = rightsize(g.values, coverage, allocation, { ...rs, granularity: entry.granularity, unitPricePerHour: entry.unitPrice });
        if (finding) out.push({ ...finding, name: entry.name, seriesId: s.id, labels: s.labels, windowMs: rs.window, evaluatedAt: now });
        await yieldToLoop();
      }
    }
    out.sort((a, b) => b.monthlySaving - a.monthlySaving);
    return out;
  }

  private safeForecast(s: SeriesData, entry: string, o: Parameters<typeof forecastSamples>[3], fn: ForecastFn = this.forecaster): SeriesForecast | null {
    try {
      return forecastSamples(s.timestamps, s.values, fn, o);
    } catch (e) {
      this.opts.logger?.warn({ entry, series: s.id, err: (e as Error).message }, 'forecast failed');
      return null;
    }
  }

  private emitOnChange(e: ScalingEntry): void {
    const key = `${e.name}\u0000${e.seriesId}`;
    const prev = this.lastAction.get(key);
    this.lastAction.set(key, e.action);
    // Only changes are events; the first HOLD is the normal state, not news.
    if (prev === e.action || (prev === undefined && e.action === 'HOLD')) return;
    const ev: ScalingEvent = {
      kind: 'scaling',
      id: `${e.evaluatedAt.toString(36)}-${(++this.eventSeq).toString(36)}`,
      name: e.name,
      seriesHash: e.seriesId,
      labels: e.labels,
      t: e.evaluatedAt,
      action: e.action,
      predictedPeak: e.predictedPeak,
      peakAt: e.peakAt,
      peakUtilization: e.peakUtilization,
      scaleByPercent: e.scaleByPercent,
      currentReplicas: e.currentReplicas,
      recommendedReplicas: e.recommendedReplicas,
      reason: e.reason,
      model: e.model,
    };
    this.events.push(ev);
    if (this.events.length > 1000) this.events.splice(0, this.events.length - 1000);
    for (const l of this.listeners) l(ev);
  }
}

function view(s: SeriesData, f: SeriesForecast): SeriesForecastView {
  const { grid, result } = f;
  const history: Array<[number, number]> = new Array(grid.values.length);
  for (let i = 0; i < grid.values.length; i++) history[i] = [grid.start + i * grid.stepMs, grid.values[i]!];
  const forecast: Array<[number, number, number, number]> = new Array(result.mean.length);
  for (let h = 0; h < result.mean.length; h++) forecast[h] = [f.origin + (h + 1) * grid.stepMs, result.mean[h]!, result.lower[h]!, result.upper[h]!];
  const labels = { ...s.labels };
  return { seriesId: s.id, labels, stepMs: grid.stepMs, season: f.season, model: result.model, level: result.level, history, forecast };
}
