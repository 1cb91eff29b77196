import { z } from 'zod';
import { DURATION_HINT, parseDuration } from './duration.js';
import { BYTE_SIZE_HINT, parseByteSize } from './bytes.js';
import { parseListen } from './listen.js';

/**
 * Field types shared by the config sections. Each one accepts the text a
 * person writes in YAML and outputs what the code uses (milliseconds, bytes).
 * Defaults for these are given with `.prefault(...)`, so they go through the
 * same parsing as a written value (`.prefault('15d')`, not `.default(1296000000)`).
 */

/**
 * A config section: unknown keys are errors (typos must not be ignored), and an
 * empty section (`storage:` with every line commented out, which YAML reads as
 * null) means "all defaults", as does leaving it out.
 */
export function section<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess((v) => v ?? {}, z.strictObject(shape));
}

/** A Prometheus duration string (or a bare 0), output in milliseconds. */
export function duration(opts: { min?: number } = {}) {
  return parsedField((v) => {
    if (v === 0) return 0;
    if (typeof v === 'string') return parseDuration(v);
    // A bare number is ambiguous (seconds? milliseconds?), so ask for a unit.
    throw new RangeError(badValue('duration', v, typeof v === 'number' ? `a unit is required, e.g. ${v}s` : DURATION_HINT));
  }, opts.min ?? 0, 'ms');
}

/** A byte size (`10MiB`, `512KB`, or an integer number of bytes), output in bytes. */
export function byteSize(opts: { min?: number } = {}) {
  return parsedField((v) => {
    if (typeof v === 'string' || typeof v === 'number') return parseByteSize(v);
    throw new RangeError(badValue('size', v, BYTE_SIZE_HINT));
  }, opts.min ?? 0, 'bytes');
}

/** A `host:port` listen address, output parsed alongside the original text. */
export function listenAddress() {
  return z.string().transform((s, ctx) => {
    try {
      return parseListen(s);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  });
}

/** An integer with bounds, for counts and limits. */
export function count(min: number, max = Number.MAX_SAFE_INTEGER) {
  return z.number().int().min(min).max(max);
}

/** Runs a parser that throws RangeError with a readable message, then checks a lower bound. */
function parsedField(parse: (v: unknown) => number, min: number, unit: string) {
  return z.unknown().transform((v, ctx): number => {
    try {
      const n = parse(v);
      if (n >= min) return n;
      ctx.addIssue({ code: 'custom', message: min === 1 ? 'must be greater than 0' : `must be at least ${min} ${unit}` });
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
    return z.NEVER;
  });
}

function badValue(kind: string, v: unknown, hint: string): string {
  if (v === null || v === undefined) return `${kind} has no value (${hint})`;
  const what = typeof v === 'object' ? (Array.isArray(v) ? 'a list' : 'a mapping') : JSON.stringify(v);
  return `invalid ${kind} ${what} (${hint})`;
}
