import { VigilError } from '../../core/errors.js';

/**
 * The line protocol grammar over one line of text (see parse.ts for the semantics). The byte-level parser (byte-parser.ts) handles
 * the common lines itself and hands every other line to these functions, so
 * unusual input (escapes, strings, errors, non-ASCII text) behaves exactly as here.
 */
export type Precision = 'ns' | 'us' | 'ms' | 's' | 'm' | 'h';

/** Index of the first unescaped space (where the series part ends), or -1. */
export function seriesPartEnd(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 92 /* \\ */) i++;
    else if (c === 32 /* space */) return i;
  }
  return -1;
}

export interface ParsedRest {
  fields: Array<{ key: string; value: number | string }>;
  timestamp: string | undefined;
}

/** Reads up to an unescaped character in `stops`, unescaping `escapable`; returns the text and the stop index. */
export function readToken(line: string, i: number, stops: string, escapable: string): [string, number] {
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
export function parseSeriesPart(line: string, at: string): { measurement: string; tags: Array<[string, string]>; end: number } {
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
export function parseRest(line: string, i: number, at: string): ParsedRest {
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

export const FLOAT_RE = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** The value of integer digits (`-?\d+`, or `\d+` when unsigned) within int64 (uint64), else undefined. */
export function integerInRange(digits: string, unsigned: boolean): number | undefined {
  const big = BigInt(digits);
  const ok = unsigned ? big < 2n ** 64n : big >= -(2n ** 63n) && big < 2n ** 63n;
  return ok ? Number(big) : undefined;
}

export function parseFieldValue(raw: string, key: string, at: string): number {
  if (raw === '') throw invalid(`${at}: field ${JSON.stringify(key)} has an empty value`);
  const last = raw[raw.length - 1];
  if (last === 'i' || last === 'u') {
    const digits = raw.slice(0, -1);
    if (!(last === 'i' ? /^-?\d+$/ : /^\d+$/).test(digits))
      throw invalid(`${at}: field ${JSON.stringify(key)}: invalid ${last === 'i' ? 'integer' : 'unsigned integer'} ${JSON.stringify(clip(raw))}`);
    const v = integerInRange(digits, last === 'u');
    if (v === undefined) throw invalid(`${at}: field ${JSON.stringify(key)}: ${JSON.stringify(clip(raw))} is out of range`);
    return v;
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
export function toMs(ts: string, precision: Precision, n: number): number {
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

/** The per-field refusal of a string value (the line's other fields are kept). */
export function stringFieldRefusal(lineNo: number, key: string): string {
  return `line ${lineNo}: field ${JSON.stringify(key)}: string values are not supported (only float, integer, unsigned and boolean fields are stored)`;
}

export function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

export function invalid(message: string): VigilError {
  return new VigilError('invalid', message, 400);
}
