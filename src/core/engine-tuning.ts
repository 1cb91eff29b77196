import { setFlagsFromString } from 'node:v8';

/**
 * Bytecode (in bytes) V8 may inline into one optimised function; its default is 920.
 * Vigil's per-sample paths (the ensemble's update, the store's append) call many small
 * helpers, and past V8's default budget a helper is called instead of inlined: every
 * call then passes its numbers as heap objects, a few allocations a sample, and the
 * collections they bring. With this budget those paths inline their helpers (fewer
 * instructions a sample in `npm run bench:ingest-threads`).
 */
export const INLINED_BYTECODE_BUDGET = 4000;

/**
 * How far (percent) the old generation may grow past what a full collection left live
 * before the next one starts: V8's `--heap-growing-percent`, what Go calls GOGC, set from
 * `VIGIL_HEAP_GROWTH`. By default (0) V8's own rule, which grows a small heap little: the
 * detection worker (about 20 MB live) runs a full mark-compact about once a second. At 300
 * bench:ingest's threads ran a third fewer (25 against 36 in 30 s), but its throughput did
 * not rise in two alternating pairs of 60 s runs, so it is a setting, not the default.
 */
export const HEAP_GROWTH_PERCENT = 0;

/** What tuneEngine set (undefined: the engine is left as it is). */
export interface EngineTuning {
  inlinedBytecodeBudget: number;
  /** 0: V8's own rule. */
  heapGrowthPercent: number;
}

let tuned: EngineTuning | undefined;

/**
 * Sets the engine's flags for Vigil's hot paths, unless the environment says
 * `VIGIL_ENGINE_TUNING=off` (to compare, or should a Node.js release handle the flags
 * badly). Call it first thing, before any of them has run hot (flags apply to code
 * optimised after them, and to collections after them); it also covers worker threads
 * started later (V8's flags are the process's). Idempotent; returns what is set. Throws
 * on a `VIGIL_HEAP_GROWTH` that is not a whole number from 0 to 1000.
 */
export function tuneEngine(env: NodeJS.ProcessEnv = process.env): EngineTuning | undefined {
  if (env.VIGIL_ENGINE_TUNING === 'off') return undefined;
  if (tuned) return tuned;
  const growth = heapGrowth(env.VIGIL_HEAP_GROWTH);
  setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${INLINED_BYTECODE_BUDGET}`);
  if (growth > 0) setFlagsFromString(`--heap-growing-percent=${growth}`);
  tuned = { inlinedBytecodeBudget: INLINED_BYTECODE_BUDGET, heapGrowthPercent: growth };
  return tuned;
}

function heapGrowth(value: string | undefined): number {
  if (value === undefined || value === '') return HEAP_GROWTH_PERCENT;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 1000) throw new Error(`VIGIL_HEAP_GROWTH: expected a whole number of percent from 0 (V8's own rule) to 1000, not ${JSON.stringify(value)}`);
  return n;
}
