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
import { Layout } from './layout.js';
import { AnomalyLikelihood, type LikelihoodConfig } from './likelihood.js';
import { normalTail } from './math.js';
import { ContextNovelty, type NoveltyConfig } from './novelty.js';
import { RobustTracker, type RobustConfig } from './robust.js';
import { SeasonalBaseline, type SeasonalConfig } from './seasonal.js';
import { ExplanationSlot } from './types.js';

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

// Component codes, as indices of COMPONENTS in types.ts.
const C_NONE = 0, C_ROBUST = 1, C_SEASONAL = 2, C_CHANGE = 3, C_RANGE = 4, C_NOVELTY = 5;

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
  private readonly head: number;
  /**
   * |z| below which a component's surprise is under the novelty floor. Such a
   * surprise can neither score (the bar is at least the floor) nor change a bar at
   * or above the floor, and a bar below it acts as the floor: skipping the tail
   * computation there (most samples) gives the same scores.
   */
  private readonly quietZ: number;
  // Head slots.
  private static readonly VER = 0;
  private static readonly N = 1;
  private static readonly LAST_T = 2;
  private static readonly DT = 3;
  private static readonly PREV = 4;
  private static readonly MIN = 5;
  private static readonly MAX = 6;
  private static readonly ALARM_AGE = 7;
  private static readonly ALARM_SCORE = 8;
  private static readonly MAXR = 9;
  private static readonly MAXD = 10;
  private static readonly MAXS = 11;
  private static readonly MAXC = 12;
  private static readonly RATE = 13;
  private static readonly MAXN = 14;
  private static readonly SMOOTH = 15;
  private static readonly MAXM = 16;
  private static readonly HEAD = 17;

  constructor(config: PartialConfig<EnsembleConfig> = {}) {
    this.cfg = mergeConfig(config);
    const layout = new Layout();
    this.head = layout.reserve(UnivariateEnsemble.HEAD);
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
    this.quietZ = this.cfg.novelty.enabled ? quietZ(this.cfg.novelty.floor) : 0;
  }

  /** A fresh per-series state. */
  createState(): Float64Array {
    const s = new Float64Array(this.size);
    this.reset(s);
    return s;
  }

  reset(s: Float64Array): void {
    s.fill(0);
    s[UnivariateEnsemble.VER] = VERSION;
    s[UnivariateEnsemble.LAST_T] = NaN;
    s[UnivariateEnsemble.PREV] = NaN;
    s[UnivariateEnsemble.MIN] = Infinity;
    s[UnivariateEnsemble.MAX] = -Infinity;
    s[UnivariateEnsemble.ALARM_AGE] = Infinity;
    this.robust.init(s);
    this.diff.init(s);
    this.smooth.init(s);
    s[UnivariateEnsemble.SMOOTH] = NaN;
    this.seasonal.init(s);
    this.change.init(s);
    this.likelihood.init(s);
    this.context.init(s);
  }

  /** Brings a saved state to this version's layout; throws on a version it does not know. */
  upgrade(s: Float64Array): void {
    const v = s[UnivariateEnsemble.VER];
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
    s[UnivariateEnsemble.VER] = VERSION;
  }

  /**
   * Scores one sample (time t in ms, value x) and learns it. Returns the
   * anomaly score in [0,1]; `out`, when given, receives the explanation.
   * Non-finite values score 0 and are not learnt.
   */
  update(s: Float64Array, t: number, x: number, out?: ExplanationSlot): number {
    const H = UnivariateEnsemble;
    const cfg = this.cfg;
    if (!Number.isFinite(x)) {
      if (out) this.explainNone(s, t, out);
      return 0;
    }
    const n = s[H.N]! + 1;
    s[H.N] = n;
    // Sampling interval (EW of the gaps), used to size daily memories.
    const lastT = s[H.LAST_T]!;
    if (lastT === lastT && t > lastT) {
      const d = t - lastT;
      const dt = s[H.DT]!;
      s[H.DT] = dt > 0 ? dt + 0.05 * (Math.min(d, 4 * dt) - dt) : d;
    }
    s[H.LAST_T] = t;

    // --- component surprises (predict before learning) ---
    const rob = this.robust;
    const zR = rob.count(s) > 1 ? rob.z(s, x) : 0;
    let expected = rob.level(s);
    let scale = rob.scale(s);
    let zBase = zR;
    let best = this.calibrate(s, H.MAXR, this.surprise(zR));
    let total = best;
    let comp = C_ROBUST;
    let dir = zR; // sign: direction of the component that fired

    const prev = s[H.PREV]!;
    if (prev === prev && this.diff.count(s) > 1) {
      const zD = this.diff.z(s, x - prev);
      const e1 = this.calibrate(s, H.MAXD, this.surprise(zD));
      // A step back towards the level (the end of a spike) is not new evidence
      // (its surprise still sets the component's bar).
      const lv = rob.level(s);
      const e = cfg.diff.returnGate && Math.abs(x - lv) < Math.abs(prev - lv) ? 0 : e1;
      total += e;
      if (e > best) {
        best = e;
        comp = C_ROBUST;
        dir = zD;
      }
    }

    // Smoothed series: sustained bursts that single noisy samples hide.
    if (cfg.smooth.enabled) {
      const y0 = s[H.SMOOTH]!;
      const y = y0 === y0 ? y0 + cfg.smooth.smoothing * (x - y0) : x;
      s[H.SMOOTH] = y;
      if (this.smooth.count(s) > 1) {
        const zM = this.smooth.z(s, y);
        const e = this.calibrate(s, H.MAXM, this.surprise(zM));
        total += e;
        if (e > best) {
          best = e;
          comp = C_ROBUST;
          dir = zM;
        }
      }
      this.smooth.update(s, y);
    }

    const seasonalOn = cfg.seasonal.enabled && this.seasonal.active(s, t);
    if (seasonalOn) {
      expected = this.seasonal.expected(s, t);
      scale = this.seasonal.scale(s, t);
      zBase = (x - expected) / scale;
      const e = this.calibrate(s, H.MAXS, this.surprise(zBase));
      total += e;
      if (e > best) {
        best = e;
        comp = C_SEASONAL;
        dir = zBase;
      }
    }

    if (cfg.changepoint.enabled) {
      const st = Math.abs(this.change.statistic(s));
      // Under no shift, P(CUSUM > h) ~ exp(-2 * drift * h).
      const e = this.calibrate(s, H.MAXC, (2 * cfg.changepoint.drift * st) / Math.LN10 / 4);
      total += e;
      if (e > best) {
        best = e;
        comp = C_CHANGE;
        dir = this.change.statistic(s);
      }
    }

    if (cfg.range.enabled && n > cfg.range.minSamples) {
      const lo = s[H.MIN]!, hi = s[H.MAX]!;
      const tol = cfg.range.tolerance * (hi - lo);
      if (hi > lo && (x > hi + tol || x < lo - tol) && Math.abs(zR) >= cfg.range.minZ) {
        total += cfg.range.evidence;
        if (cfg.range.evidence > best) {
          best = cfg.range.evidence;
          comp = C_RANGE;
          dir = x > hi ? 1 : -1;
        }
      }
    }

    if (cfg.context.enabled && n > cfg.range.minSamples) {
      const e0 = this.context.update(s, x, s[H.MIN]!, s[H.MAX]!) * cfg.context.weight;
      const e = cfg.context.calibrate ? this.calibrate(s, H.MAXN, e0) : e0;
      total += e;
      if (e > best) {
        best = e;
        comp = C_NOVELTY;
        dir = x - expected;
      }
    }

    // Cold start: ramp evidence in while the estimates settle.
    const ramp = n / (n + cfg.coldStart);
    let raw = (cfg.fusion === 'sum' ? total : best) * ramp;

    if (cfg.likelihood.enabled) {
      const p = this.likelihood.update(s, raw);
      const e = p > 1e-300 ? -Math.log10(p) : 300;
      raw = Math.max(raw * (1 - cfg.likelihood.weight), e * cfg.likelihood.weight);
    }
    let score = raw / (raw + cfg.evidenceScale);

    // --- event stage: one detection per episode ---
    const ev = cfg.event;
    const rate = s[H.RATE]! * (1 - 1 / ev.rateMemory);
    score /= 1 + rate / ev.rateK;
    const age = s[H.ALARM_AGE]! + 1;
    s[H.ALARM_AGE] = age;
    let alarm = false;
    const dtNow = s[H.DT]!;
    const suppress = ev.suppressHours > 0 && dtNow > 0 ? Math.max(ev.minSuppress, (ev.suppressHours * 3_600_000) / dtNow) : ev.suppress;
    if (n <= cfg.novelty.settle) {
      // Settling: scores are reported, but do not open an episode that would mute later ones.
    } else if (age <= suppress) {
      if (score > s[H.ALARM_SCORE]! * ev.escalate && score >= ev.alarm) alarm = true;
      else score *= ev.damp;
    } else if (score >= ev.alarm) alarm = true;
    if (alarm) {
      s[H.ALARM_SCORE] = score;
      s[H.ALARM_AGE] = 0;
    }
    s[H.RATE] = alarm && age > suppress ? rate + 1 : rate;

    if (out) {
      out.expected = expected;
      out.lower = expected - cfg.band * scale;
      out.upper = expected + cfg.band * scale;
      out.component = best > 0.5 ? comp : C_NONE;
      // Outside the band: that side; inside, the side of the component that fired (if any).
      out.direction = x > out.upper ? 1 : x < out.lower ? -1 : out.component !== C_NONE ? Math.sign(dir) : 0;
    }

    // --- learn ---
    const dt = s[H.DT]!;
    if (cfg.seasonal.enabled) this.seasonal.update(s, t, x, dt, seasonalOn ? scale : 0);
    if (cfg.changepoint.enabled && rob.count(s) > cfg.robust.warmup) {
      if (this.change.update(s, x, zBase)) {
        const level = this.change.shortMean(s);
        const delta = level - rob.level(s);
        rob.reset(s, level);
        this.seasonal.shiftLevel(s, delta);
        this.change.reset(s);
      }
    } else if (cfg.changepoint.enabled) this.change.update(s, x, 0);
    rob.update(s, x);
    if (prev === prev) this.diff.update(s, x - prev);
    s[H.PREV] = x;
    if (x < s[H.MIN]!) s[H.MIN] = x;
    if (x > s[H.MAX]!) s[H.MAX] = x;
    return score;
  }

  /** surprise(z), or 0 where it is under the novelty floor (see quietZ). */
  private surprise(z: number): number {
    return z < this.quietZ && z > -this.quietZ ? 0 : surprise(z);
  }

  /** Novelty calibration: the surprise in excess of the component's recent maximum (which it then updates). */
  private calibrate(s: Float64Array, slot: number, e0: number): number {
    const nv = this.cfg.novelty;
    const e = e0 < nv.cap ? e0 : nv.cap;
    if (!nv.enabled) return e;
    const m = s[slot]!;
    const n = s[UnivariateEnsemble.N]!;
    // The first samples' surprises are unreliable (scales not settled): they do not set the bar.
    if (n <= nv.calibrateAfter) return e > nv.floor * (1 + nv.margin) ? e - nv.floor * (1 + nv.margin) : 0;
    const grown = nv.growth * n;
    const decayed = m * (1 - 1 / (grown > nv.memory ? grown : nv.memory));
    s[slot] = e > decayed ? e : decayed;
    const ref = (m > nv.floor ? m : nv.floor) * (1 + nv.margin);
    return e > ref ? e - ref : 0;
  }

  private explainNone(s: Float64Array, _t: number, out: ExplanationSlot): void {
    out.expected = this.robust.level(s);
    const sc = this.robust.scale(s);
    out.lower = out.expected - this.cfg.band * sc;
    out.upper = out.expected + this.cfg.band * sc;
    out.component = C_NONE;
    out.direction = 0;
  }
}
