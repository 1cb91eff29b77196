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

let tuned = false;

/**
 * Sets the engine's flags for Vigil's hot paths, unless the environment says
 * `VIGIL_ENGINE_TUNING=off` (to compare, or should a Node.js release handle the flag
 * badly). Call it first thing, before any of them has run hot (flags apply to code
 * optimised after them); it also covers worker threads started later (V8's flags are
 * the process's). Idempotent; returns whether the flags are set.
 */
export function tuneEngine(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.VIGIL_ENGINE_TUNING === 'off') return false;
  if (!tuned) setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${INLINED_BYTECODE_BUDGET}`);
  tuned = true;
  return true;
}
