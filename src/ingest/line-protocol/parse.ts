import { type Precision, invalid, sanitize } from './line-syntax.js';

export { type Precision, sanitize };

/**
 * InfluxDB line protocol, as Vigil reads it (byte-parser.ts; line-syntax.ts holds the
 * grammar):
 *
 *   measurement[,tag=value...] field=value[,field=value...] [timestamp]
 *
 * Escaping as InfluxDB documents it: in measurements `\,` and `\ `; in tag keys,
 * tag values and field keys `\,`, `\=` and `\ `; in string field values `\"`
 * and `\\`. A backslash before any other character is kept literally.
 * Field values: floats (`1`, `-1.5e3`), integers (`3i`), unsigned (`4u`),
 * booleans (t, T, true, True, TRUE, f, F, false, False, FALSE → 1 / 0) and
 * double-quoted strings, which Vigil cannot store: each string field is refused
 * with a message naming its line and field, the line's other fields are kept.
 *
 * Each numeric field becomes the series `<measurement>_<field>` (just
 * `<measurement>` for a field named `value`), with the tags as labels, as
 * Telegraf's Prometheus output names them; characters invalid in Prometheus
 * names become `_`. A syntax error anywhere refuses the whole request (400
 * naming the line), before anything is stored.
 */

/** Parses the `precision` query parameter: v2 accepts ns, us, ms, s; v1 also n, u, m, h. */
export function parsePrecision(p: string | undefined, api: 'v1' | 'v2'): Precision {
  if (p === undefined || p === '') return 'ns';
  const v1: Record<string, Precision> = { n: 'ns', ns: 'ns', u: 'us', us: 'us', ms: 'ms', s: 's', m: 'm', h: 'h' };
  const v2: Record<string, Precision> = { ns: 'ns', us: 'us', ms: 'ms', s: 's' };
  const got = (api === 'v1' ? v1 : v2)[p];
  if (got === undefined)
    throw invalid(`invalid precision ${JSON.stringify(p)}; expected one of ${Object.keys(api === 'v1' ? v1 : v2).join(', ')}`);
  return got;
}

export const MAX_FIELD_ERRORS = 20;
