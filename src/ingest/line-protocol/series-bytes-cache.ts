import { METRIC_NAME, labelsKey, type Labels } from '../../core/labels.js';
import { type IngestLimits, validateLabels } from '../limits.js';
import { BytesTable } from '../bytes-table.js';
import { sanitize } from './line-syntax.js';

/**
 * One output series (validated, frozen labels), shared by every series part and
 * field that renders to it, so lines naming one series in different ways (tag
 * order, characters renamed) share one group of the request's batch. `group` is
 * that group's index while `gen` is the current request's number.
 */
export class LineSeries {
  gen = -1;
  group = 0;

  constructor(readonly labels: Labels) {}
}

/** Field keys a part remembers as bytes (the byte parser's lookup); a part with more fields finds the rest by name. */
const FIELD_KEYS = 16;

/** A series part (measurement and tags, as written) seen before: its names, and its series per field key. */
export class SeriesPart {
  readonly byField = new Map<string, LineSeries>();
  /** Field keys (ids in the cache's field key table), in the order lines first named them (lines repeat their field order), and their series. */
  readonly fieldKeys: number[] = [];
  readonly fieldSeries: LineSeries[] = [];
  /** The part of the line that followed this one last time (senders repeat their order). */
  next: SeriesPart | undefined;

  constructor(
    /** The id of the raw bytes (the cache key) of an ASCII part in the cache's part table; -1 for one found by its text. */
    readonly id: number,
    /** The length of those bytes (0 for a part found by its text). */
    readonly keyLength: number,
    readonly mname: string,
    readonly base: Record<string, string>,
  ) {}
}

/**
 * Series parts of lines seen before, by their raw bytes, and one series per distinct
 * label set (validated once, frozen). It has the contents and bounds of the
 * string parser's text-keyed cache it replaced, so both give the same results. A sender repeats
 * its series in every request, byte for byte and in the same order, so after the
 * first request a line's series part costs one byte compare against the part that
 * followed the previous line last time (or a hash and a compare) instead of
 * decoding, renaming and validating its tags.
 *
 * Parts with non-ASCII bytes are kept by their decoded text instead: decoding maps
 * different invalid UTF-8 sequences to the same U+FFFD text, and the string parser
 * treats those as one part. Bounded: past `maxEntries` parts, or series, that map
 * starts over empty (as the text-keyed cache did, possibly mid-request).
 */
export class SeriesBytesCache {
  /** Current request number; LineSeries.group is meaningful when LineSeries.gen equals it. */
  gen = 0;
  private readonly keys = new BytesTable();
  private readonly byId: SeriesPart[] = [];
  /** Field keys of every part, as bytes; their ids are what parts remember. */
  private readonly fields = new BytesTable(64);
  private byText = new Map<string, SeriesPart>();
  private parts = 0;
  /** The part of the previous line, and of the first line of the last request (the guesses' starting points). */
  private last: SeriesPart | undefined;
  private first: SeriesPart | undefined;
  private series = new Map<string, LineSeries>();

  constructor(private readonly maxEntries = 100_000) {}

  beginRequest(): number {
    this.last = undefined;
    return ++this.gen;
  }

  /**
   * The part that followed the previous line's last time (at a request's first line, the
   * first part of the last request), when the line buf[start, end)
   * starts with its bytes and a space. That space is then where the series part ends:
   * the bytes before it are those of a line whose first unescaped space it was.
   */
  guess(buf: Uint8Array, start: number, end: number): SeriesPart | undefined {
    const g = this.last === undefined ? this.first : this.last.next;
    if (g === undefined) return undefined;
    const n = g.keyLength;
    if (start + n >= end || buf[start + n] !== 32 || !this.keys.equals(g.id, buf, start, start + n)) return undefined;
    this.last = g;
    return g;
  }

  /** The part whose raw ASCII bytes are buf[start, end). */
  find(buf: Uint8Array, start: number, end: number): SeriesPart | undefined {
    const id = this.keys.find(buf, start, end);
    if (id < 0) return undefined;
    const p = this.byId[id]!;
    this.follow(p);
    return p;
  }

  /** The part written as `raw` (text with non-ASCII characters). */
  findText(raw: string): SeriesPart | undefined {
    return this.byText.get(raw);
  }

  /** Adds the part buf[start, end) (ASCII), parsed into `measurement` and `tags`. */
  add(buf: Uint8Array, start: number, end: number, measurement: string, tags: ReadonlyArray<[string, string]>): SeriesPart {
    this.makeRoom();
    const p = newPart(this.keys.add(buf, start, end), end - start, measurement, tags);
    this.byId[p.id] = p;
    this.follow(p);
    return p;
  }

  addText(raw: string, measurement: string, tags: ReadonlyArray<[string, string]>): SeriesPart {
    this.makeRoom();
    const p = newPart(-1, 0, measurement, tags);
    this.byText.set(raw, p);
    return p;
  }

  /** The series of field `field` of part `p`, validated (which may throw) and frozen the first time. */
  seriesOf(p: SeriesPart, field: string, limits: IngestLimits, at: string): LineSeries {
    let s = p.byField.get(field);
    if (s !== undefined) return s;
    const name = field === 'value' ? p.mname : `${p.mname}_${sanitize(field, false)}`;
    const labels: Record<string, string> = { ...p.base, [METRIC_NAME]: name };
    const key = labelsKey(labels);
    s = this.series.get(key);
    if (s === undefined) {
      validateLabels(labels, limits, at);
      if (this.series.size >= this.maxEntries) this.series = new Map();
      s = new LineSeries(Object.freeze(labels));
      this.series.set(key, s);
    }
    p.byField.set(field, s);
    return s;
  }

  /** The series of the field whose key is buf[start, end) (no escapes), if `p` knows those bytes; `k` is the field's position in its line. */
  fieldSeries(p: SeriesPart, k: number, buf: Uint8Array, start: number, end: number): LineSeries | undefined {
    const keys = p.fieldKeys;
    const fields = this.fields;
    if (k < keys.length && fields.equals(keys[k]!, buf, start, end)) return p.fieldSeries[k];
    for (let j = 0; j < keys.length; j++) if (fields.equals(keys[j]!, buf, start, end)) return p.fieldSeries[j];
    return undefined;
  }

  /** Remembers that field key buf[start, end) of `p` is series `s` (up to FIELD_KEYS keys per part). */
  rememberField(p: SeriesPart, buf: Uint8Array, start: number, end: number, s: LineSeries): void {
    if (p.fieldKeys.length >= FIELD_KEYS) return;
    const id = this.fields.find(buf, start, end);
    p.fieldKeys.push(id >= 0 ? id : this.fields.add(buf, start, end));
    p.fieldSeries.push(s);
  }

  get size(): { parts: number; series: number } {
    return { parts: this.parts, series: this.series.size };
  }

  private makeRoom(): void {
    if (this.parts >= this.maxEntries) {
      this.keys.clear();
      this.byId.length = 0;
      this.fields.clear();
      this.byText = new Map();
      this.parts = 0;
      this.last = undefined;
      this.first = undefined;
    }
    this.parts++;
  }

  private follow(p: SeriesPart): void {
    if (this.last === undefined) this.first = p;
    else this.last.next = p;
    this.last = p;
  }
}

function newPart(id: number, keyLength: number, measurement: string, tags: ReadonlyArray<[string, string]>): SeriesPart {
  const base: Record<string, string> = {};
  for (const [k, v] of tags) base[sanitize(k, false)] = v;
  return new SeriesPart(id, keyLength, sanitize(measurement, true), base);
}
