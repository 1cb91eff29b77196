import { z } from 'zod';
import { DURATION_HINT, parseDuration } from './duration.js';
import { BYTE_SIZE_HINT, parseByteSize } from './bytes.js';
import { parseListen } from './listen.js';

/**
 * Field types shared by the config sections. Each one accepts the text a
 * person writes in YAML and outputs what the code uses (milliseconds, bytes).
 * Defaults are given with `.prefault(...)` so they pass through the same parsing.
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
  const min = opts.min ?? 0;
  return z.unknown().transform((v, ctx): number => {
    let ms: number;
    if (v === 0) ms = 0;
    else if (typeof v === 'string') {
      try {
        ms = parseDuration(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    } else {
      // A bare number is ambiguous (seconds? milliseconds?), so ask for a unit.
      const hint = typeof v === 'number' ? `a unit is required, e.g. ${v}s` : DURATION_HINT;
      ctx.addIssue({ code: 'custom', message: `invalid duration ${describe(v)} (${hint})` });
      return z.NEVER;
    }
    if (ms < min) {
      ctx.addIssue({ code: 'custom', message: min === 1 ? 'must be greater than 0' : `must be at least ${min} ms` });
      return z.NEVER;
    }
    return ms;
  });
}

/** A byte size (`10MiB`, `512KB`, or an integer number of bytes), output in bytes. */
export function byteSize(opts: { min?: number } = {}) {
  const min = opts.min ?? 0;
  return z.unknown().transform((v, ctx): number => {
    if (typeof v !== 'string' && typeof v !== 'number') {
      ctx.addIssue({ code: 'custom', message: `invalid size ${describe(v)} (${BYTE_SIZE_HINT})` });
      return z.NEVER;
    }
    try {
      const bytes = parseByteSize(v);
      if (bytes >= min) return bytes;
      ctx.addIssue({ code: 'custom', message: `must be at least ${min} bytes` });
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
    return z.NEVER;
  });
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

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return Array.isArray(v) ? 'list' : 'mapping';
  return JSON.stringify(v);
}
