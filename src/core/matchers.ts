import { type Labels, METRIC_NAME, isValidLabelName, isValidMetricName } from './labels.js';
import { VigilError } from './errors.js';

/** Prometheus label matcher operators. */
export type MatchType = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
}

/**
 * A compiled matcher. As in Prometheus, regexes are fully anchored and a label
 * that is absent matches as the empty string (so `{env=""}` selects series without `env`).
 */
export class CompiledMatcher implements LabelMatcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
  private readonly re: RegExp | undefined;

  constructor(m: LabelMatcher) {
    this.name = m.name;
    this.type = m.type;
    this.value = m.value;
    if (m.type === '=~' || m.type === '!~') {
      try {
        this.re = new RegExp(`^(?:${m.value})$`, 's');
      } catch (e) {
        throw new VigilError('BAD_MATCHER', `invalid regular expression in matcher ${m.name}${m.type}"${m.value}": ${(e as Error).message}`);
      }
    }
  }

  matchesValue(v: string): boolean {
    switch (this.type) {
      case '=':
        return v === this.value;
      case '!=':
        return v !== this.value;
      case '=~':
        return this.re!.test(v);
      case '!~':
        return !this.re!.test(v);
    }
  }

  matches(labels: Labels): boolean {
    return this.matchesValue(labels[this.name] ?? '');
  }

  /** True when the matcher also selects series that lack the label entirely. */
  matchesEmpty(): boolean {
    return this.matchesValue('');
  }

  toString(): string {
    return `${this.name}${this.type}${JSON.stringify(this.value)}`;
  }
}

export function compileMatchers(ms: readonly LabelMatcher[]): CompiledMatcher[] {
  return ms.map((m) => (m instanceof CompiledMatcher ? m : new CompiledMatcher(m)));
}

export function matchesAll(ms: readonly CompiledMatcher[], labels: Labels): boolean {
  for (const m of ms) if (!m.matches(labels)) return false;
  return true;
}

/**
 * Parses a Prometheus series selector: `metric`, `metric{a="x",b=~"y.*"}` or `{__name__="m"}`.
 * Quotes may be double, single or backticks (raw), as in PromQL.
 */
export function parseSelector(input: string): CompiledMatcher[] {
  const p = new SelectorParser(input);
  return p.parse();
}

class SelectorParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): CompiledMatcher[] {
    const out: LabelMatcher[] = [];
    this.ws();
    const name = this.ident(true);
    if (name) {
      if (!isValidMetricName(name)) this.fail(`invalid metric name "${name}"`);
      out.push({ name: METRIC_NAME, type: '=', value: name });
    }
    this.ws();
    if (this.peek() === '{') {
      this.i++;
      this.ws();
      while (this.peek() !== '}') {
        const ln = this.ident(false);
        if (!ln) this.fail('expected label name');
        if (!isValidLabelName(ln)) this.fail(`invalid label name "${ln}"`);
        this.ws();
        const op = this.op();
        this.ws();
        const value = this.str();
        out.push({ name: ln, type: op, value });
        this.ws();
        if (this.peek() === ',') {
          this.i++;
          this.ws();
        } else if (this.peek() !== '}') this.fail('expected "," or "}"');
      }
      this.i++;
    }
    this.ws();
    if (this.i < this.s.length) this.fail(`unexpected "${this.s[this.i]}"`);
    if (out.length === 0) this.fail('empty selector');
    // Prometheus refuses selectors that would match every series.
    const cm = compileMatchers(out);
    if (cm.every((m) => m.matchesEmpty())) this.fail('selector must contain at least one matcher that does not match the empty string');
    return cm;
  }

  private peek(): string | undefined {
    return this.s[this.i];
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  private ident(metric: boolean): string {
    const re = metric ? /[a-zA-Z0-9_:]/ : /[a-zA-Z0-9_]/;
    const start = this.i;
    while (this.i < this.s.length && re.test(this.s[this.i]!)) this.i++;
    return this.s.slice(start, this.i);
  }

  private op(): MatchType {
    const two = this.s.slice(this.i, this.i + 2);
    if (two === '=~' || two === '!~' || two === '!=') {
      this.i += 2;
      return two;
    }
    if (this.peek() === '=') {
      this.i++;
      return '=';
    }
    return this.fail('expected one of =, !=, =~, !~');
  }

  private str(): string {
    const q = this.peek();
    if (q !== '"' && q !== "'" && q !== '`') this.fail('expected quoted label value');
    this.i++;
    let out = '';
    while (this.i < this.s.length) {
      const c = this.s[this.i++]!;
      if (c === q) return out;
      if (c === '\\' && q !== '`') {
        const n = this.s[this.i++];
        switch (n) {
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          case '\\':
          case '"':
          case "'":
            out += n;
            break;
          default:
            // Keep unknown escapes verbatim so regexes such as \d survive.
            out += '\\' + (n ?? '');
        }
      } else out += c;
    }
    return this.fail('unterminated string');
  }

  private fail(msg: string): never {
    throw new VigilError('BAD_SELECTOR', `invalid selector ${JSON.stringify(this.s)} at position ${this.i}: ${msg}`);
  }
}
