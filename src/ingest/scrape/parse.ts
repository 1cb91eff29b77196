import { VigilError } from '../../core/errors.js';
import { METRIC_NAME } from '../../core/labels.js';
import { metricTypeOf, type FamilyMetadata } from '../../core/metadata.js';

/**
 * Parsers for the two text formats targets expose:
 * - the Prometheus text exposition format 0.0.4 (`text/plain; version=0.0.4`),
 * - OpenMetrics 1.0 text (`application/openmetrics-text; version=1.0.0`).
 *
 * Output is flat samples, as Prometheus ingests them: histograms and summaries
 * arrive as their `_bucket`/`_sum`/`_count`/quantile series. HELP, TYPE and UNIT
 * are read (TYPE drives `_created` skipping and `le`/`quantile` normalisation) and
 * returned as metadata per family by parseExpositionWithMetadata. Exemplars are skipped. As Prometheus does by default,
 * OpenMetrics `_created` series of counters, histograms and summaries are not
 * returned (they are start times, not measurements).
 */

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export interface ParsedSample {
  /** Includes `__name__`. */
  labels: Record<string, string>;
  value: number;
  /** Milliseconds, when the exposition gave one (OpenMetrics seconds are converted). */
  timestamp?: number;
}

/** Picks the parser from a response's Content-Type; anything not OpenMetrics is read as the Prometheus text format. */
export function formatFromContentType(contentType: string | null | undefined): ExpositionFormat {
  const mt = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return mt === 'application/openmetrics-text' ? 'openmetrics' : 'prometheus';
}

/** Thrown for malformed input; the message names the 1-based line number. */
export class ExpositionParseError extends VigilError {
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super('BAD_EXPOSITION', `line ${line}: ${problem}`, 400);
    this.name = 'ExpositionParseError';
  }
}

const PROM_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const OM_TYPES = new Set(['counter', 'gauge', 'histogram', 'gaugehistogram', 'stateset', 'info', 'summary', 'unknown']);
/** Families whose `_created` sample OpenMetrics defines. */
const CREATED_TYPES = new Set(['counter', 'histogram', 'summary', 'gaugehistogram']);

const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INT_RE = /^-?\d+$/;

/**
 * Parses a whole exposition. Throws ExpositionParseError at the first malformed
 * line (Prometheus, too, fails the whole scrape on a syntax error).
 */
export function parseExposition(text: string, format: ExpositionFormat): ParsedSample[] {
  return new Parser(text, format).parse();
}

/**
 * parseExposition, plus the metadata of every family with a TYPE, HELP or UNIT line
 * (named as in those lines; `untyped` is `unknown`, as in Prometheus's metadata API).
 */
export function parseExpositionWithMetadata(text: string, format: ExpositionFormat): { samples: ParsedSample[]; metadata: FamilyMetadata[] } {
  const p = new Parser(text, format);
  const samples = p.parse();
  const metadata: FamilyMetadata[] = [];
  for (const [family, m] of p.described) metadata.push({ family, type: metricTypeOf(p.types.get(family) ?? 'unknown'), help: m.help, unit: m.unit });
  for (const [family, type] of p.types) if (!p.described.has(family)) metadata.push({ family, type: metricTypeOf(type), help: '', unit: '' });
  return { samples, metadata };
}

class Parser {
  private readonly om: boolean;
  /** metric family name -> type, from TYPE lines. */
  readonly types = new Map<string, string>();
  /** metric family name -> help and unit, from HELP and UNIT lines. */
  readonly described = new Map<string, { help: string; unit: string }>();
  private readonly out: ParsedSample[] = [];
  private lineNo = 0;

  constructor(
    private readonly text: string,
    format: ExpositionFormat,
  ) {
    this.om = format === 'openmetrics';
  }

  parse(): ParsedSample[] {
    const text = this.text;
    let pos = 0;
    let sawEof = false;
    while (pos < text.length) {
      let end = text.indexOf('\n', pos);
      if (end < 0) end = text.length;
      this.lineNo++;
      let line = text.slice(pos, end);
      pos = end + 1;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (sawEof) {
        if (line.trim() === '') continue;
        this.fail('content after "# EOF"');
      }
      if (this.om) {
        if (line === '') this.fail('empty lines are not allowed in OpenMetrics');
        if (line === '# EOF') {
          sawEof = true;
          continue;
        }
      } else {
        line = line.trim();
        if (line === '') continue;
      }
      if (line.startsWith('#')) this.comment(line);
      else this.sample(line);
    }
    if (this.om && !sawEof) {
      this.lineNo++;
      this.fail('missing "# EOF" at the end of the OpenMetrics exposition');
    }
    return this.out;
  }

  private comment(line: string): void {
    const tokens = line.slice(1).trim().split(/[ \t]+/);
    const kind = tokens[0];
    if (kind !== 'HELP' && kind !== 'TYPE' && kind !== 'UNIT') {
      if (this.om) this.fail(`unexpected comment ${JSON.stringify(clip(line))} (OpenMetrics allows only HELP, TYPE, UNIT and EOF)`);
      return; // a plain comment in the Prometheus format
    }
    if (kind === 'UNIT' && !this.om) return;
    const name = tokens[1];
    if (name === undefined || name === '') this.fail(`${kind} line without a metric name`);
    if (!METRIC_NAME_RE.test(name)) this.fail(`invalid metric name ${JSON.stringify(clip(name))} in ${kind} line`);
    if (kind === 'TYPE') {
      const type = tokens[2];
      const allowed = this.om ? OM_TYPES : PROM_TYPES;
      if (type === undefined || !allowed.has(type)) this.fail(`invalid metric type ${JSON.stringify(type ?? '')} (expected one of ${[...allowed].join(', ')})`);
      if (tokens.length > 3) this.fail('unexpected text after the metric type');
      if (this.types.has(name)) this.fail(`second TYPE line for metric ${name}`);
      this.types.set(name, type);
      return;
    }
    // HELP and UNIT: the text after the name (blanks before it skipped), escapes undone.
    const afterKind = line.indexOf(kind) + kind.length;
    const text = unescapeText(line.slice(line.indexOf(name, afterKind) + name.length).replace(/^[ \t]+/, ''), this.om);
    let d = this.described.get(name);
    if (!d) this.described.set(name, (d = { help: '', unit: '' }));
    if (kind === 'HELP') d.help = text;
    else d.unit = text;
  }

  private sample(line: string): void {
    let i = 0;
    const n = line.length;
    if (!NAME_START.test(line[0]!)) this.fail(`expected a metric name at the start of ${JSON.stringify(clip(line))}`);
    while (i < n && NAME_CHAR.test(line[i]!)) i++;
    const name = line.slice(0, i);
    const labels: Record<string, string> = { [METRIC_NAME]: name };
    if (!this.om) while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
    if (line[i] === '{') i = this.labels(line, i + 1, labels);
    // The rest: value [timestamp] [# exemplar]
    let rest = line.slice(i);
    if (this.om) {
      if (!rest.startsWith(' ')) this.fail(`expected a space before the value of ${name}`);
      const ex = rest.indexOf(' # ');
      if (ex >= 0) rest = rest.slice(0, ex); // exemplar: ignored
    }
    const tokens = rest.trim().split(this.om ? ' ' : /[ \t]+/);
    if (tokens.length === 1 && tokens[0] === '') this.fail(`missing value for ${name}`);
    if (tokens.length > 2) this.fail(`unexpected ${JSON.stringify(clip(tokens.slice(2).join(' ')))} after the value and timestamp of ${name}`);
    const value = parseValue(tokens[0]!);
    if (value === undefined) this.fail(`invalid value ${JSON.stringify(clip(tokens[0]!))} for ${name}`);
    const sample: ParsedSample = { labels, value };
    if (tokens.length === 2) {
      const ts = this.timestamp(tokens[1]!);
      if (ts === undefined) this.fail(`invalid timestamp ${JSON.stringify(clip(tokens[1]!))} for ${name}`);
      sample.timestamp = ts;
    }
    const type = this.familyType(name);
    if (type !== undefined) {
      if (this.om && type.suffix === '_created' && CREATED_TYPES.has(type.type)) return;
      if (type.suffix === '_bucket' && (type.type === 'histogram' || type.type === 'gaugehistogram')) normalizeFloatLabel(labels, 'le');
      else if (type.suffix === '' && type.type === 'summary') normalizeFloatLabel(labels, 'quantile');
    }
    this.out.push(sample);
  }

  /** Parses `a="x",b="y"}` from `i` (after the brace); returns the index after `}`. */
  private labels(line: string, i: number, labels: Record<string, string>): number {
    const n = line.length;
    const ws = () => {
      if (!this.om) while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
    };
    ws();
    while (line[i] !== '}') {
      if (i >= n) this.fail('unterminated label set (missing "}")');
      const start = i;
      while (i < n && /[a-zA-Z0-9_]/.test(line[i]!)) i++;
      const ln = line.slice(start, i);
      if (!LABEL_NAME_RE.test(ln)) this.fail(`invalid label name ${JSON.stringify(clip(ln || line.slice(start, start + 10)))}`);
      ws();
      if (line[i] !== '=') this.fail(`expected "=" after label name ${ln}`);
      i++;
      ws();
      if (line[i] !== '"') this.fail(`expected a quoted value for label ${ln}`);
      i++;
      let value = '';
      let closed = false;
      while (i < n) {
        const c = line[i++]!;
        if (c === '"') {
          closed = true;
          break;
        }
        if (c === '\\') {
          const e = line[i++];
          if (e === 'n') value += '\n';
          else if (e === '\\' || e === '"') value += e;
          else if (e === undefined) break;
          else if (this.om) this.fail(`invalid escape "\\${e}" in the value of label ${ln} (only \\\\, \\" and \\n are allowed)`);
          else value += '\\' + e; // kept verbatim, as Prometheus does
        } else value += c;
      }
      if (!closed) this.fail(`unterminated value for label ${ln}`);
      if (ln === METRIC_NAME || Object.prototype.hasOwnProperty.call(labels, ln)) this.fail(`duplicate label name ${ln}`);
      labels[ln] = value;
      ws();
      if (line[i] === ',') {
        i++;
        ws();
      } else if (line[i] !== '}') this.fail(`expected "," or "}" after the value of label ${ln}`);
    }
    return i + 1;
  }

  private timestamp(s: string): number | undefined {
    if (this.om) {
      if (!DECIMAL_RE.test(s)) return undefined;
      return Math.round(Number(s) * 1000);
    }
    if (!INT_RE.test(s)) return undefined;
    return Number(s);
  }

  /** The TYPE that covers a sample name, and the suffix the sample adds to the family name. */
  private familyType(name: string): { type: string; suffix: string } | undefined {
    const exact = this.types.get(name);
    if (exact !== undefined) return { type: exact, suffix: '' };
    for (const suffix of ['_bucket', '_count', '_sum', '_created', '_total', '_gcount', '_gsum', '_info']) {
      if (name.endsWith(suffix)) {
        const t = this.types.get(name.slice(0, -suffix.length));
        if (t !== undefined) return { type: t, suffix };
      }
    }
    return undefined;
  }

  private fail(problem: string): never {
    throw new ExpositionParseError(this.lineNo, problem);
  }
}

/** A sample value as Go's strconv.ParseFloat reads it (decimal, Inf, NaN), or undefined. */
export function parseValue(s: string): number | undefined {
  if (DECIMAL_RE.test(s)) return Number(s);
  const l = s.toLowerCase();
  if (l === 'nan') return NaN;
  if (l === '+inf' || l === 'inf' || l === '+infinity' || l === 'infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  return undefined;
}

/**
 * Prometheus 3 normalises `le` and `quantile` to one float spelling whatever the
 * format (`le="1"` and `le="1.0"` are the same bucket): Go's FormatFloat 'g'
 * with `.0` added to integers, so the two formats yield the same series.
 */
function normalizeFloatLabel(labels: Record<string, string>, name: string): void {
  const raw = labels[name];
  if (raw === undefined) return;
  const v = parseValue(raw);
  if (v !== undefined) labels[name] = formatGoFloat(v);
}

export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const [mant, expText] = v.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  let s: string;
  if (exp < -4 || exp >= 6) {
    // Go's shortest %g switches to %e at these exponents; %e has at least two exponent digits.
    const abs = Math.abs(exp);
    s = `${mant}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  } else s = String(v);
  return s.includes('.') || s.includes('e') ? s : s + '.0';
}

/** HELP text escapes: `\\` and `\n` (and `\"` in OpenMetrics); any other backslash is kept, as Prometheus does. */
function unescapeText(s: string, om: boolean): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(.)/g, (all, c: string) => (c === '\\' ? '\\' : c === 'n' ? '\n' : om && c === '"' ? '"' : all));
}

function clip(s: string): string {
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}
