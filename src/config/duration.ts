/**
 * Prometheus duration strings: an integer and a unit, combinable in
 * descending order (`1h30m`, `2d12h`), or a bare `0`. Units: ms, s, m, h, d,
 * w (7d) and y (365d), as in Prometheus' model.ParseDuration.
 */

const UNIT_MS = {
  y: 365 * 24 * 3_600_000,
  w: 7 * 24 * 3_600_000,
  d: 24 * 3_600_000,
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
} as const;

type Unit = keyof typeof UNIT_MS;

// Same grammar as Prometheus: each unit at most once, largest first.
const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const ORDER: readonly Unit[] = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];

export const DURATION_HINT = 'expected e.g. 15d, 1h30m';

/** Milliseconds in a duration string; throws a RangeError naming the input when it is not one. */
export function parseDuration(s: string): number {
  if (s === '0') return 0;
  const m = s === '' ? null : DURATION_RE.exec(s);
  if (!m) throw new RangeError(`invalid duration ${JSON.stringify(s)} (${DURATION_HINT})`);
  let ms = 0;
  ORDER.forEach((unit, i) => {
    const n = m[i + 1];
    if (n !== undefined) ms += Number(n) * UNIT_MS[unit];
  });
  if (!Number.isSafeInteger(ms)) throw new RangeError(`duration ${JSON.stringify(s)} is too long`);
  return ms;
}

/** The shortest duration string for `ms` (`90_000` -> `1m30s`), for messages and `config print`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of ORDER) {
    const n = Math.floor(rest / UNIT_MS[unit]);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * UNIT_MS[unit];
    }
  }
  return out;
}
