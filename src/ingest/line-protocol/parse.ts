import { VigilError } from '../../core/errors.js';
import { METRIC_NAME, labelsKey, type Labels } from '../../core/labels.js';
import type { SeriesWrite } from '../../store/types.js';
import { FrozenLabels } from '../frozen-labels.js';
import { type IngestLimits, validateLabels } from '../limits.js';

/**
 * InfluxDB line protocol:
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
export type Precision = 'ns' | 'us' | 'ms' | 's' | 'm' | 'h';

export interface LineProtocolResult {
  writes: SeriesWrite[];
  samples: number;
  /** Per-field refusals (string fields): "line 3: field \"msg\": ...". */
  fieldErrors: string[];
  refusedFields: number;
}

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

const MAX_FIELD_ERRORS = 20;

/** Names of a line's series part (measurement and tags, as written): its metric name and labels. */
interface SeriesPart {
  mname: string;
  base: Record<string, string>;
  /** Frozen labels per field key. */
  byField: Map<string, Labels>;
}

/**
 * Series parts of lines seen before, and one frozen label set per distinct series.
 * A sender repeats its series in every request, byte for byte, so after the first
 * request a line costs one map lookup for its series instead of parsing, renaming and
 * validating its tags; and the store and the detectors find its (frozen) labels by
 * identity. Bounded: past `maxEntries` series parts it starts over empty.
 */
export class LineSeriesCache {
  private parts = new Map<string, SeriesPart>();
  private readonly canonical: FrozenLabels;

  constructor(private readonly maxEntries = 100_000) {
    this.canonical = new FrozenLabels(maxEntries);
  }

  part(raw: string): SeriesPart | undefined {
    return this.parts.get(raw);
  }

  addPart(raw: string, measurement: string, tags: ReadonlyArray<[string, string]>): SeriesPart {
    if (this.parts.size >= this.maxEntries) this.parts = new Map();
    const base: Record<string, string> = {};
    for (const [k, v] of tags) base[sanitize(k, false)] = v;
    const sp: SeriesPart = { mname: sanitize(measurement, true), base, byField: new Map() };
    this.parts.set(raw, sp);
    return sp;
  }

  /** The frozen labels of a field of `sp`, validated the first time (which may throw). */
  labels(sp: SeriesPart, field: string, limits: IngestLimits, at: string): Labels {
    let l = sp.byField.get(field);
    if (l !== undefined) return l;
    const name = field === 'value' ? sp.mname : `${sp.mname}_${sanitize(field, false)}`;
    const labels: Record<string, string> = { ...sp.base, [METRIC_NAME]: name };
    l = this.canonical.get(labelsKey(labels), labels, (x) => validateLabels(x, limits, at));
    sp.byField.set(field, l);
    return l;
  }
}

export function parseLineProtocol(text: string, precision: Precision, limits: IngestLimits, nowMs: number = Date.now(), cache: LineSeriesCache = new LineSeriesCache()): LineProtocolResult {
  // Keyed by the frozen label set: lines naming one series in different ways (tag order,
  // characters renamed) share it, so their samples go to one write.
  const groups = new Map<Labels, { labels: Labels; t: number[]; v: number[] }>();
  const fieldErrors: string[] = [];
  let refusedFields = 0;
  let samples = 0;
  let lineNo = 0;
  let start = 0;
  const len = text.length;
  while (start <= len) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = len;
    lineNo++;
    let line = text.slice(start, nl);
    start = nl + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line[0] === ' ' || line[0] === '\t') line = line.replace(/^[ \t]+/, '');
    if (line === '' || line.startsWith('#')) {
      if (nl === len) break;
      continue;
    }
    const at = `line ${lineNo}`;
    const end = seriesPartEnd(line);
    const raw = end < 0 ? line : line.slice(0, end);
    let sp = cache.part(raw);
    let rest: ParsedRest;
    if (sp === undefined) {
      const head = parseSeriesPart(line, at);
      rest = parseRest(line, head.end, at);
      sp = cache.addPart(raw, head.measurement, head.tags);
    } else rest = parseRest(line, end, at);
    const t = rest.timestamp === undefined ? nowMs : toMs(rest.timestamp, precision, lineNo);
    for (const f of rest.fields) {
      if (typeof f.value === 'string') {
        refusedFields++;
        if (fieldErrors.length < MAX_FIELD_ERRORS)
          fieldErrors.push(`line ${lineNo}: field ${JSON.stringify(f.key)}: string values are not supported (only float, integer, unsigned and boolean fields are stored)`);
        continue;
      }
      const labels = cache.labels(sp, f.key, limits, at);
      let g = groups.get(labels);
      if (g === undefined) {
        if (groups.size >= limits.maxSeriesPerRequest)
          throw new VigilError('TOO_MANY_SERIES', `more than ${limits.maxSeriesPerRequest} series in one request`, 413);
        g = { labels, t: [], v: [] };
        groups.set(labels, g);
      }
      if (++samples > limits.maxSamplesPerRequest)
        throw new VigilError('TOO_MANY_SAMPLES', `more than ${limits.maxSamplesPerRequest} samples in one request`, 413);
      g.t.push(t);
      g.v.push(f.value);
    }
    if (nl === len) break;
  }
  const writes: SeriesWrite[] = [];
  for (const g of groups.values()) writes.push({ labels: g.labels, timestamps: Float64Array.from(g.t), values: Float64Array.from(g.v) });
  return { writes, samples, fieldErrors, refusedFields };
}

/** Index of the first unescaped space (where the series part ends), or -1. */
function seriesPartEnd(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 92 /* \\ */) i++;
    else if (c === 32 /* space */) return i;
  }
  return -1;
}

interface ParsedRest {
  fields: Array<{ key: string; value: number | string }>;
  timestamp: string | undefined;
}

/** Reads up to an unescaped character in `stops`, unescaping `escapable`; returns the text and the stop index. */
function readToken(line: string, i: number, stops: string, escapable: string): [string, number] {
  let out = '';
  let from = i;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length && escapable.includes(line[i + 1]!)) {
      out += line.slice(from, i) + line[i + 1];
      i += 2;
      from = i;
      continue;
    }
    if (stops.includes(c)) break;
    i++;
  }
  return [out + line.slice(from, i), i];
}

/** Measurement and tags, up to the space before the field set (index `end`). */
function parseSeriesPart(line: string, at: string): { measurement: string; tags: Array<[string, string]>; end: number } {
  const first = readToken(line, 0, ', ', ', \\');
  const measurement = first[0];
  let i = first[1];
  if (measurement === '') throw invalid(`${at}: missing measurement`);
  const tags: Array<[string, string]> = [];
  while (line[i] === ',') {
    let key: string;
    let value: string;
    [key, i] = readToken(line, i + 1, ',= ', ',= \\');
    if (line[i] !== '=') throw invalid(`${at}: tag ${JSON.stringify(key)} has no "=value"`);
    [value, i] = readToken(line, i + 1, ',= ', ',= \\');
    if (key === '') throw invalid(`${at}: empty tag key`);
    if (value === '') throw invalid(`${at}: tag ${JSON.stringify(key)} has an empty value`);
    if (line[i] === '=') throw invalid(`${at}: unescaped "=" in the value of tag ${JSON.stringify(key)}`);
    tags.push([key, value]);
  }
  if (line[i] !== ' ') throw invalid(`${at}: expected a space and the field set after ${JSON.stringify(measurement)}`);
  return { measurement, tags, end: i };
}

/** The field set and timestamp, from the space that ends the series part. */
function parseRest(line: string, i: number, at: string): ParsedRest {
  if (i < 0 || line[i] !== ' ') throw invalid(`${at}: expected a space and the field set after the measurement`);
  while (line[i] === ' ') i++;
  const fields: ParsedRest['fields'] = [];
  for (;;) {
    let key: string;
    [key, i] = readToken(line, i, ',= ', ',= \\');
    if (key === '') throw invalid(`${at}: missing field key`);
    if (line[i] !== '=') throw invalid(`${at}: field ${JSON.stringify(key)} has no "=value"`);
    i++;
    let value: number | string;
    if (line[i] === '"') {
      let s = '';
      let j = i + 1;
      let closed = false;
      while (j < line.length) {
        const c = line[j]!;
        if (c === '\\' && (line[j + 1] === '"' || line[j + 1] === '\\')) {
          s += line[j + 1];
          j += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          break;
        }
        s += c;
        j++;
      }
      if (!closed) throw invalid(`${at}: field ${JSON.stringify(key)}: unterminated string value`);
      value = s;
      i = j + 1;
    } else {
      let j = i;
      while (j < line.length && line[j] !== ',' && line[j] !== ' ') j++;
      value = parseFieldValue(line.slice(i, j), key, at);
      i = j;
    }
    fields.push({ key, value });
    if (line[i] === ',') {
      i++;
      continue;
    }
    break;
  }
  let timestamp: string | undefined;
  if (i < line.length) {
    if (line[i] !== ' ') throw invalid(`${at}: unexpected ${JSON.stringify(line[i])} after the field set`);
    while (line[i] === ' ') i++;
    const rest = line.slice(i).trimEnd();
    if (rest !== '') {
      if (!/^-?\d+$/.test(rest)) throw invalid(`${at}: invalid timestamp ${JSON.stringify(clip(rest))} (expected an integer)`);
      timestamp = rest;
    }
  }
  return { fields, timestamp };
}

const FLOAT_RE = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

function parseFieldValue(raw: string, key: string, at: string): number {
  if (raw === '') throw invalid(`${at}: field ${JSON.stringify(key)} has an empty value`);
  const last = raw[raw.length - 1];
  if (last === 'i' || last === 'u') {
    const digits = raw.slice(0, -1);
    if (!(last === 'i' ? /^-?\d+$/ : /^\d+$/).test(digits))
      throw invalid(`${at}: field ${JSON.stringify(key)}: invalid ${last === 'i' ? 'integer' : 'unsigned integer'} ${JSON.stringify(clip(raw))}`);
    const big = BigInt(digits);
    const ok = last === 'i' ? big >= -(2n ** 63n) && big < 2n ** 63n : big < 2n ** 64n;
    if (!ok) throw invalid(`${at}: field ${JSON.stringify(key)}: ${JSON.stringify(clip(raw))} is out of range`);
    return Number(big);
  }
  switch (raw) {
    case 't':
    case 'T':
    case 'true':
    case 'True':
    case 'TRUE':
      return 1;
    case 'f':
    case 'F':
    case 'false':
    case 'False':
    case 'FALSE':
      return 0;
  }
  if (!FLOAT_RE.test(raw)) throw invalid(`${at}: field ${JSON.stringify(key)}: invalid value ${JSON.stringify(clip(raw))}`);
  const v = Number(raw);
  if (!Number.isFinite(v)) throw invalid(`${at}: field ${JSON.stringify(key)}: ${JSON.stringify(clip(raw))} is out of the float64 range`);
  return v;
}

/** Converts an integer timestamp string in `precision` units to ms (floor), exactly. */
function toMs(ts: string, precision: Precision, n: number): number {
  if (ts.startsWith('-')) throw invalid(`line ${n}: negative timestamp ${ts} (before 1970) is not supported`);
  let ms: number;
  switch (precision) {
    case 'ns':
      ms = ts.length > 6 ? Number(ts.slice(0, -6)) : 0;
      break;
    case 'us':
      ms = ts.length > 3 ? Number(ts.slice(0, -3)) : 0;
      break;
    case 'ms':
      ms = Number(ts);
      break;
    case 's':
      ms = Number(ts) * 1000;
      break;
    case 'm':
      ms = Number(ts) * 60_000;
      break;
    case 'h':
      ms = Number(ts) * 3_600_000;
      break;
  }
  if (!Number.isSafeInteger(ms)) throw invalid(`line ${n}: timestamp ${clip(ts)} (${precision}) is out of range`);
  return ms;
}

/** Prometheus names: characters outside [a-zA-Z0-9_] (and `:` in metric names) become `_`; a leading digit gets a `_` prefix. */
export function sanitize(s: string, metric: boolean): string {
  const out = s.replace(metric ? /[^a-zA-Z0-9_:]/g : /[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(out) ? '_' + out : out;
}

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

function invalid(message: string): VigilError {
  return new VigilError('invalid', message, 400);
}
