// The default univariate ensemble. Components each give a surprise in -log10(p)
// units: a robust level (Huber EWMA + mean absolute deviation), a first-difference
// (spike) tracker, a tracker over an EWMA-smoothed copy (sustained bursts), the
// seasonal baseline (daily phases, used once the cycle proves itself), a range
// breakout, the contextual novelty memory and (off by default) a CUSUM change
// point. Each surprise is calibrated against that component's own recent maximum
// (only the excess over what this series has already done counts), the largest
// wins (it names the component in the explanation), and the event stage turns an
// episode into one early detection: later scores within `suppressHours` (one day)
// are damped unless they escalate. An HTM-style anomaly-likelihood stage is available
// (off by default: it scored lower on NAB).
import { ChangePointDetector, type ChangePointConfig } from './changepoint.js';
import { compileEnsembleUpdate, HEAD_SLOTS, type EnsembleStep, type EnsembleUpdate } from './ensemble-update.js';
import { Layout } from './layout.js';
import { AnomalyLikelihood, type LikelihoodConfig } from './likelihood.js';
import { normalTail } from './math.js';
import { ContextNovelty, type NoveltyConfig } from './novelty.js';
import { RobustTracker, type RobustConfig } from './robust.js';
import { SeasonalBaseline, type SeasonalConfig } from './seasonal.js';

export interface EnsembleConfig {
  robust: RobustConfig;
  /**
   * The first-difference (spike) tracker. With `returnGate`, a step back towards the
   * level (the end of a spike) gives no evidence: the spike was already scored.
   */
  diff: RobustConfig & { returnGate: boolean };
  /** A robust tracker over an EWMA-smoothed copy of the series (weight `alpha` of the new value). */
  smooth: RobustConfig & { enabled: boolean; smoothing: number };
  seasonal: SeasonalConfig & { enabled: boolean };
  changepoint: ChangePointConfig & { enabled: boolean };
  /**
   * Range breakout (a new extreme beyond the range seen so far by `tolerance` of
   * its width) that is also at least `minZ` robust sigmas from the level.
   */
  range: { enabled: boolean; tolerance: number; evidence: number; minSamples: number; minZ: number };
  context: NoveltyConfig & { enabled: boolean; weight: number; calibrate: boolean };
  likelihood: LikelihoodConfig & { enabled: boolean; weight: number };
  /** How component surprises combine: the largest, or their sum. */
  fusion: 'max' | 'sum';
  /** Surprise (-log10 p) that maps to score 0.5: score = e / (e + evidenceScale). */
  evidenceScale: number;
  /**
   * Novelty calibration: each component's surprise is compared with its own
   * recent maximum (decaying by 1/memory per sample); only the excess counts.
   */
  /**
   * (`growth` * samples seen lengthens the memory as history accumulates; no episode
   * opens during the first `settle` samples; the bar is not learnt during the first
   * `calibrateAfter` samples; surprises are capped at `cap`; `floor` is the lowest bar.)
   */
  novelty: { enabled: boolean; memory: number; growth: number; settle: number; calibrateAfter: number; floor: number; margin: number; cap: number };
  /** Samples over which a new series' evidence is ramped up (cold start). */
  coldStart: number;
  event: {
    /** Scores at or above this open an episode. */
    alarm: number;
    /** Samples after an alarm during which further scores are damped (used when `suppressHours` is 0). */
    suppress: number;
    /**
     * When > 0, the episode lasts this many hours instead, converted to samples with the
     * series' EW sampling interval (at least `minSuppress` samples).
     */
    suppressHours: number;
    minSuppress: number;
    /** Factor applied to damped scores. */
    damp: number;
    /** A damped score escalates (is not damped) when above the alarm's score times this. */
    escalate: number;
    /**
     * Alarm-rate calibration: scores are divided by 1 + R / rateK, where R is
     * the series' recent count of alarms (decaying by 1/rateMemory per sample).
     */
    rateK: number;
    rateMemory: number;
  };
  /** Half-width of the explained band, in sigmas. */
  band: number;
  /** Default score at or above which offline scoring flags a sample. */
  flagThreshold: number;
}

export const DEFAULT_ENSEMBLE_CONFIG: EnsembleConfig = {
  robust: { alpha: 0.012, clip: 4, warmup: 20 },
  diff: { alpha: 0.005, clip: 4, warmup: 20, returnGate: true },
  smooth: { enabled: true, smoothing: 0.03, alpha: 0.002, clip: 3, warmup: 20 },
  seasonal: { enabled: true, bins: 36, memoryDays: 3, clip: 6, minDays: 1, ratio: 0.8, weekly: false },
  changepoint: { enabled: false, drift: 1, confirm: 20, clip: 6, alphaShort: 0.1 },
  range: { enabled: true, tolerance: 0.03, evidence: 6, minSamples: 100, minZ: 4 },
  context: { enabled: true, levels: 8, window: 4, bits: 2048, rateMemory: 500, minRate: 1e-4, weight: 1, calibrate: true },
  likelihood: { enabled: false, alphaLong: 0.001, alphaShort: 0.2, minStd: 0.05, weight: 1 },
  fusion: 'max',
  evidenceScale: 10,
  novelty: { enabled: true, memory: 2000, growth: 0.25, settle: 20, calibrateAfter: 0, floor: 2, margin: 0.2, cap: 40 },
  coldStart: 10,
  event: { alarm: 0.02, suppress: 400, suppressHours: 24, minSuppress: 0, damp: 0.03, escalate: 3, rateK: 1e9, rateMemory: 5000 },
  band: 3,
  flagThreshold: 0.08,
};

/** -log10 of the two-sided Gaussian tail of |z|; asymptotic beyond z = 8. */
export function surprise(z: number): number {
  const a = z < 0 ? -z : z;
  if (a < 8) {
    const p = 2 * normalTail(a);
    return p > 0 ? -Math.log10(p) : 300;
  }
  // log10(2 phi(a)/a) for large a
  return (a * a) / 2 / Math.LN10 + Math.log10(a * Math.sqrt(Math.PI / 2));
}

/** The largest |z| whose surprise is below `floor` (bisection; surprise grows with |z|). */
export function quietZ(floor: number): number {
  if (!(floor > 0)) return 0;
  let lo = 0;
  let hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (surprise(mid) < floor) lo = mid;
    else hi = mid;
  }
  return lo;
}

export type PartialConfig<T> = { [K in keyof T]?: T[K] extends object ? Partial<T[K]> : T[K] };

export function mergeConfig(over: PartialConfig<EnsembleConfig> = {}): EnsembleConfig {
  const base = DEFAULT_ENSEMBLE_CONFIG as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(base)) {
    const b = base[k];
    const o = (over as Record<string, unknown>)[k];
    out[k] = b !== null && typeof b === 'object' ? { ...(b as object), ...((o as object) ?? {}) } : (o ?? b);
  }
  return out as unknown as EnsembleConfig;
}

/**
 * Snapshot format version, stored in slot 0 of every state. 2: the context's counters sit
 * with the trackers, and the seasonal phases are interleaved (fewer cache lines per sample).
 */
const VERSION = 2;

/**
 * Compiled updates by configuration, shared by the ensembles of one configuration: V8
 * specialises a compiled update to its constants only while it is the one closure made
 * from that code, so a process making many ensembles of one configuration (a worker's
 * stage, a benchmark, the API) keeps that one. The components it closes over hold only
 * offsets and settings, the same for equal configurations. A few configurations at most;
 * past that, each ensemble compiles its own.
 */
const compiledUpdates = new Map<string, { step: EnsembleStep; update: EnsembleUpdate }>();
const MAX_COMPILED_UPDATES = 16;

export class UnivariateEnsemble {
  readonly cfg: EnsembleConfig;
  readonly size: number;
  private readonly robust: RobustTracker;
  private readonly diff: RobustTracker;
  private readonly smooth: RobustTracker;
  private readonly seasonal: SeasonalBaseline;
  private readonly change: ChangePointDetector;
  private readonly likelihood: AnomalyLikelihood;
  private readonly context: ContextNovelty;
  /**
   * Scores one sample (time t in ms, value x) and learns it. Returns the
   * anomaly score in [0,1]; `out`, when given, receives the explanation.
   * Non-finite values score 0 and are not learnt. (Compiled for this ensemble's
   * configuration: ensemble-update.ts.)
   */
  readonly update: EnsembleUpdate;
  /** update() with its numbers passed through a typed array (see EnsembleStep): for per-sample loops. */
  readonly step: EnsembleStep;

  constructor(config: PartialConfig<EnsembleConfig> = {}) {
    this.cfg = mergeConfig(config);
    const layout = new Layout();
    layout.reserve(HEAD_SLOTS.SIZE);
    this.robust = new RobustTracker(layout, this.cfg.robust);
    this.diff = new RobustTracker(layout, this.cfg.diff);
    this.smooth = new RobustTracker(layout, this.cfg.smooth);
    // The slots every sample reads first, together (version 2): the context's three with the trackers.
    this.context = new ContextNovelty(layout, this.cfg.context);
    this.seasonal = new SeasonalBaseline(layout, this.cfg.seasonal);
    this.change = new ChangePointDetector(layout, this.cfg.changepoint);
    this.likelihood = new AnomalyLikelihood(layout, this.cfg.likelihood);
    this.context.placeMemory(layout);
    this.size = layout.size;
    const key = JSON.stringify(this.cfg);
    let compiled = compiledUpdates.get(key);
    if (compiled === undefined) {
      /*
       * |z| below which a component's surprise is under the novelty floor. Such a
       * surprise can neither score (the bar is at least the floor) nor change a bar at
       * or above the floor, and a bar below it acts as the floor: skipping the tail
       * computation there (most samples) gives the same scores.
       */
      const quiet = this.cfg.novelty.enabled ? quietZ(this.cfg.novelty.floor) : 0;
      const { robust, diff, smooth, seasonal, change, likelihood, context } = this;
      compiled = compileEnsembleUpdate(this.cfg, { robust, diff, smooth, seasonal, change, likelihood, context }, quiet, surprise);
      if (compiledUpdates.size < MAX_COMPILED_UPDATES) compiledUpdates.set(key, compiled);
    }
    this.update = compiled.update;
    this.step = compiled.step;
  }

  /** A fresh per-series state. */
  createState(): Float64Array {
    const s = new Float64Array(this.size);
    this.reset(s);
    return s;
  }

  reset(s: Float64Array): void {
    const H = HEAD_SLOTS;
    s.fill(0);
    s[H.VER] = VERSION;
    s[H.LAST_T] = NaN;
    s[H.PREV] = NaN;
    s[H.MIN] = Infinity;
    s[H.MAX] = -Infinity;
    s[H.ALARM_AGE] = Infinity;
    this.robust.init(s);
    this.diff.init(s);
    this.smooth.init(s);
    s[H.SMOOTH] = NaN;
    this.seasonal.init(s);
    this.change.init(s);
    this.likelihood.init(s);
    this.context.init(s);
  }

  /** Brings a saved state to this version's layout; throws on a version it does not know. */
  upgrade(s: Float64Array): void {
    const v = s[HEAD_SLOTS.VER];
    if (v === VERSION) return;
    if (v !== 1) throw new Error(`unsupported state snapshot version ${v}`);
    // Version 1 order after the head and the three trackers: seasonal, change point,
    // likelihood, the context's counters, its bit set.
    const old = s.slice();
    // The first slot after the trackers: version 1's seasonal start, now the context's counters.
    let from = this.context.at;
    for (const [to, n] of [
      [this.seasonal.at, this.seasonal.size],
      [this.change.at, 4],
      [this.likelihood.at, 4],
      [this.context.at, 3],
      [this.context.memoryAt, this.context.words],
    ] as const) {
      s.set(old.subarray(from, from + n), to);
      from += n;
    }
    this.seasonal.upgradeFromPlanarPhases(s);
    s[HEAD_SLOTS.VER] = VERSION;
  }
}
