// The univariate ensemble's per-sample update, compiled once per configuration (ensemble.ts
// shares it between the ensembles of one): a closure whose state offsets and settings are
// constants of its own. V8 optimises a function made by
// one closure for the values it closes over, so the offsets become immediates and the
// settings literals, the components' math (plain functions of state, offset and settings)
// inlines with them, and no setting is looked up through objects at every sample (the
// method form spent most of its ~2,400 instructions a sample on such lookups, bounds
// arithmetic and boxing). The arithmetic is the method form's, operation for operation,
// so scores and states are the same bits.
import type { AnomalyLikelihood } from './likelihood.js';
import type { ChangePointDetector } from './changepoint.js';
import type { EnsembleConfig } from './ensemble.js';
import type { ContextNovelty } from './novelty.js';
import { robustScale, robustUpdate, type RobustTracker } from './robust.js';
import { seasonalActive, seasonalExpected, seasonalLearnCycle, seasonalLearnErrors, seasonalPhase, seasonalScale, type SeasonalBaseline } from './seasonal.js';
import type { ExplanationSlot } from './types.js';

/** The head of a state: slots every sample reads and writes first. */
export const HEAD_SLOTS = Object.freeze({
  VER: 0, N: 1, LAST_T: 2, DT: 3, PREV: 4, MIN: 5, MAX: 6, ALARM_AGE: 7, ALARM_SCORE: 8,
  MAXR: 9, MAXD: 10, MAXS: 11, MAXC: 12, RATE: 13, MAXN: 14, SMOOTH: 15, MAXM: 16,
  /** Slots in the head. */
  SIZE: 17,
});

/** The ensemble's components (their offsets in the state, and the rarely used ones' methods). */
export interface EnsembleParts {
  robust: RobustTracker;
  diff: RobustTracker;
  smooth: RobustTracker;
  seasonal: SeasonalBaseline;
  change: ChangePointDetector;
  likelihood: AnomalyLikelihood;
  context: ContextNovelty;
}

/**
 * Scores one sample (time t in ms, value x) and learns it; returns the anomaly score in
 * [0,1], and writes the explanation to `out` when given.
 */
export type EnsembleUpdate = (s: Float64Array, t: number, x: number, out?: ExplanationSlot) => number;

/**
 * The same update with its numbers passed in `io`: the time at io[IO_T], the value at
 * io[IO_X], and the score written to io[IO_SCORE]. A function too large to inline takes its
 * numbers as heap objects and returns one: three allocations a sample, on a path that
 * runs a million times a second. Through a typed array nothing is allocated.
 */
export type EnsembleStep = (s: Float64Array, io: Float64Array, out?: ExplanationSlot) => void;
export const IO_T = 0, IO_X = 1, IO_SCORE = 2;
/** Length of an `io` array. */
export const IO_SIZE = 3;

// Component codes, as indices of COMPONENTS in types.ts.
const C_NONE = 0, C_ROBUST = 1, C_SEASONAL = 2, C_CHANGE = 3, C_RANGE = 4, C_NOVELTY = 5;

/**
 * The update of an ensemble of configuration `cfg` over `parts`. `quietZ` is the |z| below
 * which a surprise is under the novelty floor; `surprise` gives -log10 p of a z-score.
 */
export function compileEnsembleUpdate(cfg: EnsembleConfig, parts: EnsembleParts, quietZ: number, surprise: (z: number) => number): { step: EnsembleStep; update: EnsembleUpdate } {
  const { N, LAST_T, DT, PREV, MIN, MAX, ALARM_AGE, ALARM_SCORE, MAXR, MAXD, MAXS, MAXC, RATE, MAXN, SMOOTH, MAXM } = HEAD_SLOTS;
  const { change, likelihood, context } = parts;
  const R = parts.robust.at, D = parts.diff.at, M = parts.smooth.at, S = parts.seasonal.at;
  const rAlpha = cfg.robust.alpha, rClip = cfg.robust.clip, rWarmup = cfg.robust.warmup;
  const dAlpha = cfg.diff.alpha, dClip = cfg.diff.clip, dWarmup = cfg.diff.warmup, returnGate = cfg.diff.returnGate;
  const smoothOn = cfg.smooth.enabled, smoothing = cfg.smooth.smoothing;
  const mAlpha = cfg.smooth.alpha, mClip = cfg.smooth.clip, mWarmup = cfg.smooth.warmup;
  const seasonalOn0 = cfg.seasonal.enabled, nb = cfg.seasonal.bins, weekly = cfg.seasonal.weekly;
  const sMinDays = cfg.seasonal.minDays, sRatio = cfg.seasonal.ratio, sClip = cfg.seasonal.clip, sMemoryDays = cfg.seasonal.memoryDays;
  const changeOn = cfg.changepoint.enabled, drift = cfg.changepoint.drift;
  const rangeOn = cfg.range.enabled, rangeTolerance = cfg.range.tolerance, rangeEvidence = cfg.range.evidence;
  const minSamples = cfg.range.minSamples, rangeMinZ = cfg.range.minZ;
  const contextOn = cfg.context.enabled, contextWeight = cfg.context.weight, contextCalibrate = cfg.context.calibrate;
  const likelihoodOn = cfg.likelihood.enabled, likelihoodWeight = cfg.likelihood.weight;
  const fusionSum = cfg.fusion === 'sum';
  const evidenceScale = cfg.evidenceScale;
  const nvOn = cfg.novelty.enabled, nvMemory = cfg.novelty.memory, nvGrowth = cfg.novelty.growth, nvSettle = cfg.novelty.settle;
  const nvCalibrateAfter = cfg.novelty.calibrateAfter, nvFloor = cfg.novelty.floor, nvMargin = cfg.novelty.margin, nvCap = cfg.novelty.cap;
  const coldStart = cfg.coldStart;
  const ev = cfg.event;
  const alarmAt = ev.alarm, suppressFixed = ev.suppress, suppressHours = ev.suppressHours, minSuppress = ev.minSuppress;
  const damp = ev.damp, escalate = ev.escalate, rateK = ev.rateK, rateMemory = ev.rateMemory;
  const band = cfg.band;

  /** surprise(z), or 0 where it is under the novelty floor (see quietZ in ensemble.ts). */
  const quiet = (z: number): number => (z < quietZ && z > -quietZ ? 0 : surprise(z));

  const barFactor = 1 + nvMargin;
  /** calibrate() without a learnt bar: novelty off, or the first samples (their surprises do not set the bar). */
  const uncalibrated = (e: number): number => (!nvOn ? e : e > nvFloor * barFactor ? e - nvFloor * barFactor : 0);

  /** Novelty calibration: the surprise in excess of the component's recent maximum (which it then updates). */
  const calibrate = (s: Float64Array, slot: number, e0: number): number => {
    const e = e0 < nvCap ? e0 : nvCap;
    const n = s[N]!;
    if (!nvOn || n <= nvCalibrateAfter) return uncalibrated(e);
    const m = s[slot]!;
    const grown = nvGrowth * n;
    const decayed = m * (1 - 1 / (grown > nvMemory ? grown : nvMemory));
    s[slot] = e > decayed ? e : decayed;
    const ref = (m > nvFloor ? m : nvFloor) * barFactor;
    return e > ref ? e - ref : 0;
  };

  const explainNone = (s: Float64Array, out: ExplanationSlot): void => {
    out.expected = s[R + 1]!;
    const sc = robustScale(s, R);
    out.lower = out.expected - band * sc;
    out.upper = out.expected + band * sc;
    out.component = C_NONE;
    out.direction = 0;
  };

  const step = (s: Float64Array, io: Float64Array, out?: ExplanationSlot): void => {
    const t = io[IO_T]!;
    const x = io[IO_X]!;
    if (!Number.isFinite(x)) {
      if (out !== undefined) explainNone(s, out);
      io[IO_SCORE] = 0;
      return;
    }
    const n = s[N]! + 1;
    s[N] = n;
    // Sampling interval (EW of the gaps), used to size daily memories.
    const lastT = s[LAST_T]!;
    if (lastT === lastT && t > lastT) {
      const d = t - lastT;
      const dt = s[DT]!;
      s[DT] = dt > 0 ? dt + 0.05 * (Math.min(d, 4 * dt) - dt) : d;
    }
    s[LAST_T] = t;

    // --- component surprises (predict before learning) ---
    let expected = s[R + 1]!;
    const scaleR = robustScale(s, R);
    let scale = scaleR;
    const zR = s[R]! > 1 ? (x - expected) / scale : 0;
    let zBase = zR;
    let best = calibrate(s, MAXR, quiet(zR));
    let total = best;
    let comp = C_ROBUST;
    let dir = zR; // sign: direction of the component that fired

    const prev = s[PREV]!;
    const scaleD = prev === prev ? robustScale(s, D) : 0;
    if (prev === prev && s[D]! > 1) {
      const zD = (x - prev - s[D + 1]!) / scaleD;
      const e1 = calibrate(s, MAXD, quiet(zD));
      // A step back towards the level (the end of a spike) is not new evidence
      // (its surprise still sets the component's bar).
      const lv = s[R + 1]!;
      const e = returnGate && Math.abs(x - lv) < Math.abs(prev - lv) ? 0 : e1;
      total += e;
      if (e > best) {
        best = e;
        comp = C_ROBUST;
        dir = zD;
      }
    }

    // Smoothed series: sustained bursts that single noisy samples hide.
    if (smoothOn) {
      const y0 = s[SMOOTH]!;
      const y = y0 === y0 ? y0 + smoothing * (x - y0) : x;
      s[SMOOTH] = y;
      const scaleM = robustScale(s, M);
      if (s[M]! > 1) {
        const zM = (y - s[M + 1]!) / scaleM;
        const e = calibrate(s, MAXM, quiet(zM));
        total += e;
        if (e > best) {
          best = e;
          comp = C_ROBUST;
          dir = zM;
        }
      }
      robustUpdate(s, M, mAlpha, mClip, mWarmup, y, scaleM);
    }

    const phase = seasonalOn0 ? seasonalPhase(t, nb) : 0;
    const seasonalOn = seasonalOn0 && seasonalActive(s, S, t, sMinDays, sRatio);
    if (seasonalOn) {
      expected = seasonalExpected(s, S, nb, weekly, t, phase);
      scale = seasonalScale(s, S, phase);
      zBase = (x - expected) / scale;
      const e = calibrate(s, MAXS, quiet(zBase));
      total += e;
      if (e > best) {
        best = e;
        comp = C_SEASONAL;
        dir = zBase;
      }
    }

    if (changeOn) {
      const st = Math.abs(change.statistic(s));
      // Under no shift, P(CUSUM > h) ~ exp(-2 * drift * h).
      const e = calibrate(s, MAXC, (2 * drift * st) / Math.LN10 / 4);
      total += e;
      if (e > best) {
        best = e;
        comp = C_CHANGE;
        dir = change.statistic(s);
      }
    }

    if (rangeOn && n > minSamples) {
      const lo = s[MIN]!, hi = s[MAX]!;
      const tol = rangeTolerance * (hi - lo);
      if (hi > lo && (x > hi + tol || x < lo - tol) && Math.abs(zR) >= rangeMinZ) {
        total += rangeEvidence;
        if (rangeEvidence > best) {
          best = rangeEvidence;
          comp = C_RANGE;
          dir = x > hi ? 1 : -1;
        }
      }
    }

    if (contextOn && n > minSamples) {
      const e0 = context.update(s, x, s[MIN]!, s[MAX]!) * contextWeight;
      const e = contextCalibrate ? calibrate(s, MAXN, e0) : e0;
      total += e;
      if (e > best) {
        best = e;
        comp = C_NOVELTY;
        dir = x - expected;
      }
    }

    // Cold start: ramp evidence in while the estimates settle.
    const ramp = n / (n + coldStart);
    let raw = (fusionSum ? total : best) * ramp;

    if (likelihoodOn) {
      const p = likelihood.update(s, raw);
      const e = p > 1e-300 ? -Math.log10(p) : 300;
      raw = Math.max(raw * (1 - likelihoodWeight), e * likelihoodWeight);
    }
    let score = raw / (raw + evidenceScale);

    // --- event stage: one detection per episode ---
    const rate = s[RATE]! * (1 - 1 / rateMemory);
    score /= 1 + rate / rateK;
    const age = s[ALARM_AGE]! + 1;
    s[ALARM_AGE] = age;
    let alarm = false;
    const dtNow = s[DT]!;
    const suppress = suppressHours > 0 && dtNow > 0 ? Math.max(minSuppress, (suppressHours * 3_600_000) / dtNow) : suppressFixed;
    if (n <= nvSettle) {
      // Settling: scores are reported, but do not open an episode that would mute later ones.
    } else if (age <= suppress) {
      if (score > s[ALARM_SCORE]! * escalate && score >= alarmAt) alarm = true;
      else score *= damp;
    } else if (score >= alarmAt) alarm = true;
    if (alarm) {
      s[ALARM_SCORE] = score;
      s[ALARM_AGE] = 0;
    }
    s[RATE] = alarm && age > suppress ? rate + 1 : rate;

    if (out !== undefined) {
      out.expected = expected;
      out.lower = expected - band * scale;
      out.upper = expected + band * scale;
      out.component = best > 0.5 ? comp : C_NONE;
      // Outside the band: that side; inside, the side of the component that fired (if any).
      out.direction = x > out.upper ? 1 : x < out.lower ? -1 : out.component !== C_NONE ? Math.sign(dir) : 0;
    }

    // --- learn ---
    const dt = s[DT]!;
    if (seasonalOn0) {
      // seasonalUpdate's two halves, called here directly: one level less of inlining.
      seasonalLearnErrors(s, S, nb, weekly, t, phase, x, dt);
      seasonalLearnCycle(s, S, nb, sClip, sMemoryDays, weekly, t, phase, x, dt, seasonalOn ? scale : 0);
    }
    // A confirmed shift moves the level, and with it the scale's floor.
    let shifted = false;
    if (changeOn && s[R]! > rWarmup) {
      if (change.update(s, x, zBase)) {
        const level = change.shortMean(s);
        const delta = level - s[R + 1]!;
        parts.robust.reset(s, level);
        parts.seasonal.shiftLevel(s, delta);
        change.reset(s);
        shifted = true;
      }
    } else if (changeOn) change.update(s, x, 0);
    robustUpdate(s, R, rAlpha, rClip, rWarmup, x, shifted ? robustScale(s, R) : scaleR);
    if (prev === prev) robustUpdate(s, D, dAlpha, dClip, dWarmup, x - prev, scaleD);
    s[PREV] = x;
    if (x < s[MIN]!) s[MIN] = x;
    if (x > s[MAX]!) s[MAX] = x;
    io[IO_SCORE] = score;
  };

  // For callers off the hot path: numbers in and out as usual.
  const io = new Float64Array(IO_SIZE);
  const update = (s: Float64Array, t: number, x: number, out?: ExplanationSlot): number => {
    io[IO_T] = t;
    io[IO_X] = x;
    step(s, io, out);
    return io[IO_SCORE]!;
  };
  return { step, update };
}
