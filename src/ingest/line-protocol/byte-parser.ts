import type { SampleBatch } from '../../store/types.js';
import type { IngestLimits } from '../limits.js';
import { fieldValueBytes } from './field-bytes.js';
import { POW10 } from './scaled-decimal.js';
import { type ParsedRest, type Precision, parseRest, parseSeriesPart, seriesPartEnd, stringFieldRefusal, toMs } from './line-syntax.js';
import { MAX_FIELD_ERRORS } from './parse.js';
import { GroupedSamples } from '../grouped-samples.js';
import { SeriesBytesCache, type SeriesPart } from './series-bytes-cache.js';
import { timestampMsBytes } from './timestamp-bytes.js';

/** A request's samples as one flat batch (what pipeline.writeBatch takes), with its refused string fields. */
export interface LineProtocolBatch {
  batch: SampleBatch;
  samples: number;
  fieldErrors: string[];
  refusedFields: number;
}

const SPACE = 32;
const COMMA = 44;
const EQUALS = 61;
const QUOTE = 34;
const BACKSLASH = 92;

/**
 * Line protocol over the request's bytes, with the results of the text grammar
 * (line-syntax.ts) on the body decoded as UTF-8: the same series, samples, order,
 * errors and limits (tested against the string parser it replaced, kept in the tests). Decoding the body, slicing each line, and building tokens, strings and
 * objects per field was most of the cost of a line; here a common line (a series
 * part seen before, unescaped ASCII field keys, numeric values, an optional
 * timestamp) is read in place: its series part is found by its bytes
 * (SeriesBytesCache), its values and timestamp are read from digits, and its
 * samples go straight into reused arrays (GroupedSamples). Every other line (first
 * seen, escapes or string values after the series part, non-ASCII text, errors) is
 * decoded and parsed as text by that grammar.
 *
 * One parser per route: it keeps the series cache and scratch arrays across requests.
 */
export class LineProtocolParser {
  private readonly sink = new GroupedSamples();
  // The field set of the line being read: key bytes and values.
  private keyStart = new Int32Array(16);
  private keyEnd = new Int32Array(16);
  private values = new Float64Array(16);
  private fieldErrors: string[] = [];
  private refusedFields = 0;

  constructor(readonly cache: SeriesBytesCache = new SeriesBytesCache()) {}

  parse(buf: Buffer, precision: Precision, limits: IngestLimits, nowMs: number = Date.now()): LineProtocolBatch {
    this.sink.begin(limits, this.cache.beginRequest());
    this.fieldErrors = [];
    this.refusedFields = 0;
    const len = buf.length;
    let pos = 0;
    let lineNo = 0;
    // Lines as the string parser framed them: split at \n, one trailing \r and leading spaces and tabs dropped, blank and # lines skipped.
    while (pos <= len) {
      let nl = buf.indexOf(10, pos);
      if (nl < 0) nl = len;
      lineNo++;
      let start = pos;
      let end = nl;
      pos = nl + 1;
      if (end > start && buf[end - 1] === 13) end--;
      while (start < end && (buf[start] === SPACE || buf[start] === 9)) start++;
      if (start < end && buf[start] !== 35 /* # */) this.line(buf, start, end, lineNo, precision, limits, nowMs);
      if (nl === len) break;
    }
    return { batch: this.sink.finish(), samples: this.sink.samples, fieldErrors: this.fieldErrors, refusedFields: this.refusedFields };
  }

  private line(buf: Buffer, start: number, end: number, lineNo: number, precision: Precision, limits: IngestLimits, nowMs: number): void {
    const cache = this.cache;
    let part = cache.guess(buf, start, end);
    if (part !== undefined) {
      if (!this.fastRest(buf, start + part.keyLength, end, part, lineNo, precision, limits, nowMs)) this.textLine(buf, start, end, lineNo, part, precision, limits, nowMs);
      return;
    }
    // The series part ends at the first unescaped space (a backslash escapes any byte here, as in seriesPartEnd).
    let partEnd = -1;
    let high = 0;
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      high |= c;
      if (c === BACKSLASH) {
        if (i + 1 < end) high |= buf[i + 1]!;
        i++;
      } else if (c === SPACE) {
        partEnd = i;
        break;
      }
    }
    const rawEnd = partEnd < 0 ? end : partEnd;
    const ascii = high < 0x80;
    part = ascii ? cache.find(buf, start, rawEnd) : cache.findText(buf.toString('utf8', start, rawEnd));
    if (part === undefined || partEnd < 0 || !this.fastRest(buf, partEnd, end, part, lineNo, precision, limits, nowMs)) this.textLine(buf, start, end, lineNo, part, precision, limits, nowMs);
  }

  /**
   * Reads the field set and timestamp of a common line from the space that ends its
   * (known) series part, and adds its samples. Returns false, having added nothing,
   * for anything it leaves to textLine.
   */
  private fastRest(buf: Buffer, i: number, end: number, part: SeriesPart, lineNo: number, precision: Precision, limits: IngestLimits, nowMs: number): boolean {
    while (i < end && buf[i] === SPACE) i++;
    let n = 0;
    for (;;) {
      const ks = i;
      for (; i < end; i++) {
        const c = buf[i]!;
        if (c === EQUALS) break;
        if (c === COMMA || c === SPACE || c === BACKSLASH || c >= 0x80) return false;
      }
      if (i === ks || i === end) return false;
      const ke = i++;
      if (buf[i] === QUOTE) return false;
      const vs = i;
      // Most values are plain decimals (`-?\d+(\.\d+)?`, 15 digits at most): read as they are scanned,
      // as floatBytes would (Clinger's fast path); anything else is scanned, then read by fieldValueBytes.
      let v: number;
      const neg = buf[i] === 45; /* - */
      if (neg) i++;
      let m = 0;
      let digits = 0;
      let fraction = 0;
      let c = 0;
      for (; i < end; i++, digits++) {
        c = buf[i]! - 48;
        if (c < 0 || c > 9) break;
        m = m * 10 + c;
      }
      if (i < end && c === -2 /* . */ && digits > 0) {
        for (i++; i < end; i++, fraction++) {
          c = buf[i]! - 48;
          if (c < 0 || c > 9) break;
          m = m * 10 + c;
        }
        digits += fraction;
        if (fraction === 0) digits = 0;
      }
      if (digits > 0 && digits <= 15 && (i === end || c === COMMA - 48 || c === SPACE - 48)) {
        const x = fraction === 0 ? m : m / POW10[fraction]!;
        v = neg ? -x : x;
      } else {
        for (i = vs; i < end; i++) {
          const b = buf[i]!;
          if (b === COMMA || b === SPACE) break;
        }
        if (i === vs) return false;
        v = fieldValueBytes(buf, vs, i);
        if (v !== v) return false;
      }
      if (n === this.values.length) this.growFields();
      this.keyStart[n] = ks;
      this.keyEnd[n] = ke;
      this.values[n++] = v;
      if (i < end && buf[i] === COMMA) {
        i++;
        continue;
      }
      break;
    }
    let t = nowMs;
    if (i < end) {
      // buf[i] is a space here; the timestamp follows the spaces, trailing whitespace is ignored.
      while (i < end && buf[i] === SPACE) i++;
      let e = end;
      while (e > i && isAsciiSpace(buf[e - 1]!)) e--;
      if (e > i) {
        t = timestampMsBytes(buf, i, e, precision);
        if (t < 0) return false;
      }
    }
    const cache = this.cache;
    for (let k = 0; k < n; k++) {
      const ks = this.keyStart[k]!;
      const ke = this.keyEnd[k]!;
      let s = cache.fieldSeries(part, k, buf, ks, ke);
      if (s === undefined) {
        s = cache.seriesOf(part, buf.toString('latin1', ks, ke), limits, `line ${lineNo}`);
        cache.rememberField(part, buf, ks, ke, s);
      }
      this.sink.add(s, t, this.values[k]!);
    }
    return true;
  }

  /** A line read from its text, by the grammar; `part` is its series part if cached. */
  private textLine(buf: Buffer, start: number, end: number, lineNo: number, part: SeriesPart | undefined, precision: Precision, limits: IngestLimits, nowMs: number): void {
    const line = buf.toString('utf8', start, end);
    const at = `line ${lineNo}`;
    let rest: ParsedRest;
    if (part === undefined) {
      const head = parseSeriesPart(line, at);
      rest = parseRest(line, head.end, at);
      const raw = line.slice(0, head.end);
      part = isAscii(raw) ? this.cache.add(buf, start, start + head.end, head.measurement, head.tags) : this.cache.addText(raw, head.measurement, head.tags);
    } else rest = parseRest(line, seriesPartEnd(line), at);
    const t = rest.timestamp === undefined ? nowMs : toMs(rest.timestamp, precision, lineNo);
    for (const f of rest.fields) {
      if (typeof f.value === 'string') {
        this.refusedFields++;
        if (this.fieldErrors.length < MAX_FIELD_ERRORS) this.fieldErrors.push(stringFieldRefusal(lineNo, f.key));
        continue;
      }
      this.sink.add(this.cache.seriesOf(part, f.key, limits, at), t, f.value);
    }
  }

  private growFields(): void {
    const n = this.values.length * 2;
    const ks = new Int32Array(n);
    const ke = new Int32Array(n);
    const v = new Float64Array(n);
    ks.set(this.keyStart);
    ke.set(this.keyEnd);
    v.set(this.values);
    this.keyStart = ks;
    this.keyEnd = ke;
    this.values = v;
  }
}

/** The characters String.prototype.trimEnd drops that are ASCII (a line holds no \n). */
function isAsciiSpace(c: number): boolean {
  return c === SPACE || (c >= 9 && c <= 13);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}
