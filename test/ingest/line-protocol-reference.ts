import { VigilError } from '../../src/core/errors.js';
import { METRIC_NAME, labelsKey, type Labels } from '../../src/core/labels.js';
import type { SeriesWrite } from '../../src/store/types.js';
import { FrozenLabels } from '../../src/ingest/frozen-labels.js';
import { type IngestLimits, validateLabels } from '../../src/ingest/limits.js';
import { MAX_FIELD_ERRORS } from '../../src/ingest/line-protocol/parse.js';
import { type ParsedRest, type Precision, parseRest, parseSeriesPart, sanitize, seriesPartEnd, stringFieldRefusal, toMs } from '../../src/ingest/line-protocol/line-syntax.js';

/**
 * The string parser the byte parser (src/ingest/line-protocol/byte-parser.ts) replaced:
 * the body decoded as UTF-8, each line sliced and parsed by the text grammar, series
 * parts cached by their text. Kept as the tests' reference: the byte parser must give
 * exactly its results (line-protocol-bytes.test.ts).
 */
export interface LineProtocolResult {
  writes: SeriesWrite[];
  samples: number;
  /** Per-field refusals (string fields): "line 3: field \"msg\": ...". */
  fieldErrors: string[];
  refusedFields: number;
}

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
          fieldErrors.push(stringFieldRefusal(lineNo, f.key));
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

