import type { Labels } from '../../core/labels.js';

/**
 * Annotation and label templates, the subset of Prometheus alerting-rule
 * templates that rules use: `{{ $labels.service }}`, `{{ $value }}`,
 * `{{ humanize $value }}` (also written `{{ $value | humanize }}`),
 * `humanize1024`, `humanizePercentage`, `humanizeDuration`, and
 * `printf "%.2f" $value`. `.Labels.x` and `.Value` are accepted as aliases.
 * A missing label renders as the empty string, as in Prometheus.
 * Templates are compiled when rules load, so a typo is a load error with
 * file:line, not a broken message at 3 a.m.
 */

export interface TemplateData {
  labels: Labels;
  value: number;
}

type Arg = { kind: 'value' } | { kind: 'label'; name: string } | { kind: 'labels' } | { kind: 'string'; text: string } | { kind: 'number'; n: number };
type Fn = (args: unknown[]) => string;

interface Expr {
  fn?: string;
  args: Arg[];
}

const FUNCTIONS: Record<string, { arity: number; run: Fn }> = {
  humanize: { arity: 1, run: ([v]) => humanize(toNumber(v)) },
  humanize1024: { arity: 1, run: ([v]) => humanize1024(toNumber(v)) },
  humanizePercentage: { arity: 1, run: ([v]) => humanizePercentage(toNumber(v)) },
  humanizeDuration: { arity: 1, run: ([v]) => humanizeDuration(toNumber(v)) },
  toUpper: { arity: 1, run: ([v]) => String(v).toUpperCase() },
  toLower: { arity: 1, run: ([v]) => String(v).toLowerCase() },
  printf: { arity: -1, run: (args) => printf(String(args[0]), args.slice(1)) },
};

export class Template {
  private constructor(
    readonly source: string,
    private readonly parts: ReadonlyArray<string | Expr>,
  ) {}

  /** Compiles `source`; throws an Error naming the problem. */
  static compile(source: string): Template {
    const parts: Array<string | Expr> = [];
    let i = 0;
    while (i < source.length) {
      const open = source.indexOf('{{', i);
      if (open < 0) {
        parts.push(source.slice(i));
        break;
      }
      if (open > i) parts.push(source.slice(i, open));
      const close = source.indexOf('}}', open + 2);
      if (close < 0) throw new Error(`template: unclosed "{{" at position ${open}`);
      parts.push(parseExpr(source.slice(open + 2, close).trim().replace(/^-\s*|\s*-$/g, '')));
      i = close + 2;
    }
    return new Template(source, parts);
  }

  /** True when the text has no `{{ }}` (rendering returns it unchanged). */
  get isStatic(): boolean {
    return this.parts.every((p) => typeof p === 'string');
  }

  render(data: TemplateData): string {
    let out = '';
    for (const p of this.parts) out += typeof p === 'string' ? p : evalExpr(p, data);
    return out;
  }

  toJSON(): string {
    return this.source;
  }
}

function parseExpr(text: string): Expr {
  if (text === '') throw new Error('template: empty "{{ }}"');
  // `a | f` pipes the left side in as the last argument of f, as in Go templates.
  const stages = splitOutsideQuotes(text, '|').map((s) => s.trim());
  let expr = parseCall(stages[0]!);
  for (const stage of stages.slice(1)) {
    const next = parseCall(stage);
    if (!next.fn) throw new Error(`template: "${stage}" after "|" must be a function`);
    if (expr.fn) throw new Error('template: only a plain value can be piped');
    next.args.push(...expr.args);
    expr = next;
  }
  if (expr.fn) checkArity(expr);
  return expr;
}

function parseCall(text: string): Expr {
  const tokens = tokenize(text);
  if (tokens.length === 0) throw new Error('template: empty expression');
  const head = tokens[0]!;
  if (!head.startsWith('$') && !head.startsWith('.') && !head.startsWith('"') && !/^-?\d/.test(head)) {
    if (!(head in FUNCTIONS)) throw new Error(`template: unknown function "${head}" (known: ${Object.keys(FUNCTIONS).join(', ')})`);
    // Arity is checked once any piped argument is in place (parseExpr).
    return { fn: head, args: tokens.slice(1).map(parseArg) };
  }
  if (tokens.length > 1) throw new Error(`template: unexpected "${tokens[1]}" after "${head}"`);
  return { args: [parseArg(head)] };
}

function checkArity(e: Expr): void {
  const f = FUNCTIONS[e.fn!]!;
  if (f.arity >= 0 && e.args.length !== f.arity) throw new Error(`template: ${e.fn} takes ${f.arity} argument${f.arity === 1 ? '' : 's'}, got ${e.args.length}`);
  if (f.arity < 0 && (e.args.length < 1 || e.args[0]!.kind !== 'string')) throw new Error(`template: ${e.fn} needs a quoted format first`);
}

function parseArg(tok: string): Arg {
  if (tok === '$value' || tok === '.Value') return { kind: 'value' };
  if (tok === '$labels' || tok === '.Labels') return { kind: 'labels' };
  const m = /^(?:\$labels|\.Labels)\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(tok);
  if (m) return { kind: 'label', name: m[1]! };
  if (tok.startsWith('"')) return { kind: 'string', text: JSON.parse(tok) as string };
  if (/^-?\d+(\.\d+)?$/.test(tok)) return { kind: 'number', n: Number(tok) };
  throw new Error(`template: unknown variable "${tok}" (use $value or $labels.NAME)`);
}

function tokenize(text: string): string[] {
  const out: string[] = [];
  const re = /"(?:[^"\\]|\\.)*"|[^\s"]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) out.push(m[0]);
  if (out.join('').replace(/\s/g, '').length !== text.replace(/\s/g, '').length) throw new Error(`template: unterminated string in "${text}"`);
  return out;
}

function splitOutsideQuotes(text: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' && text[i - 1] !== '\\') quoted = !quoted;
    if (c === sep && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function evalArg(a: Arg, d: TemplateData): unknown {
  switch (a.kind) {
    case 'value':
      return d.value;
    case 'label':
      return d.labels[a.name] ?? '';
    case 'labels':
      return d.labels;
    case 'string':
      return a.text;
    case 'number':
      return a.n;
  }
}

function evalExpr(e: Expr, d: TemplateData): string {
  const args = e.args.map((a) => evalArg(a, d));
  if (e.fn) return FUNCTIONS[e.fn]!.run(args);
  return show(args[0]);
}

function show(v: unknown): string {
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'object' && v !== null) {
    return `map[${Object.entries(v as Labels)
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([k, x]) => `${k}:${x}`)
      .join(' ')}]`;
  }
  return String(v);
}

function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

/** Go's `%v` of a float64 (shortest representation), with Prometheus' spellings of the specials. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Go's `%.4g`: four significant digits, trailing zeros dropped. */
function g4(v: number): string {
  return String(Number(v.toPrecision(4)));
}

/** Prometheus `humanize`: SI prefixes, 4 significant digits (1234567 -> "1.235M", 0.0012 -> "1.2m"). */
export function humanize(v: number): string {
  if (!Number.isFinite(v)) return formatNumber(v);
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1) {
    const prefixes = ['', 'k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
    let i = 0;
    let x = v;
    while (Math.abs(x) >= 1000 && i < prefixes.length - 1) {
      x /= 1000;
      i++;
    }
    return g4(x) + prefixes[i];
  }
  const prefixes = ['', 'm', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];
  let i = 0;
  let x = v;
  while (Math.abs(x) < 1 && i < prefixes.length - 1) {
    x *= 1000;
    i++;
  }
  return g4(x) + prefixes[i];
}

/** Prometheus `humanize1024`: binary prefixes (1048576 -> "1Mi"). */
export function humanize1024(v: number): string {
  if (!Number.isFinite(v)) return formatNumber(v);
  if (Math.abs(v) < 1) return g4(v);
  const prefixes = ['', 'ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi'];
  let i = 0;
  let x = v;
  while (Math.abs(x) >= 1024 && i < prefixes.length - 1) {
    x /= 1024;
    i++;
  }
  return g4(x) + prefixes[i];
}

/** Prometheus `humanizePercentage`: 0.1234 -> "12.34%". */
export function humanizePercentage(v: number): string {
  return g4(v * 100) + '%';
}

/** Prometheus `humanizeDuration` of seconds: 3725 -> "1h 2m 5s", 0.25 -> "250ms". */
export function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return formatNumber(v);
  if (Math.abs(v) < 1) {
    if (v === 0) return '0s';
    if (Math.abs(v) >= 0.001) return g4(v * 1000) + 'ms';
    if (Math.abs(v) >= 0.000001) return g4(v * 1e6) + 'us';
    return g4(v * 1e9) + 'ns';
  }
  const sign = v < 0 ? '-' : '';
  let s = Math.abs(v);
  const days = Math.floor(s / 86400);
  s -= days * 86400;
  const hours = Math.floor(s / 3600);
  s -= hours * 3600;
  const minutes = Math.floor(s / 60);
  s -= minutes * 60;
  const parts: string[] = [];
  if (days) parts.push(`${days}d`);
  if (hours) parts.push(`${hours}h`);
  if (minutes) parts.push(`${minutes}m`);
  if (s) parts.push(`${g4(s)}s`);
  return sign + parts.join(' ');
}

/** A small `printf`: %s, %v, %d, %f, %.Nf, %g, %%. */
function printf(fmt: string, args: unknown[]): string {
  let k = 0;
  return fmt.replace(/%(\.\d+)?([sdvfg%])/g, (m, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    const a = args[k++];
    switch (verb) {
      case 'd':
        return String(Math.trunc(toNumber(a)));
      case 'f':
        return toNumber(a).toFixed(prec ? Number(prec.slice(1)) : 6);
      case 'g':
        return prec ? String(Number(toNumber(a).toPrecision(Math.max(1, Number(prec.slice(1)))))) : show(toNumber(a));
      default:
        return show(a);
    }
  });
}
