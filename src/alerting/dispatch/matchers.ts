import { CompiledMatcher, type LabelMatcher, type MatchType, VigilError, isValidLabelName } from '../../core/index.js';

/**
 * Alertmanager's matcher strings, as written in alertmanager.yml under
 * `matchers:`, `source_matchers:` and `target_matchers:`:
 *
 *   severity="critical"        service=~"api|web"      env!=staging
 *   {alertname="Down", job=~"node.*"}                   (several in one string)
 *
 * Values may be double-quoted (with \" \\ \n escapes) or bare; a bare value
 * ends at a comma or closing brace. Regexes are fully anchored and an absent
 * label matches as the empty string, as everywhere in Vigil.
 */
export function parseMatchers(input: string): CompiledMatcher[] {
  let s = input.trim();
  if (s.startsWith('{')) {
    if (!s.endsWith('}')) throw bad(input, 'missing closing "}"');
    s = s.slice(1, -1);
  }
  const out: CompiledMatcher[] = [];
  let i = 0;
  const ws = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  ws();
  while (i < s.length) {
    const start = i;
    while (i < s.length && /[a-zA-Z0-9_]/.test(s[i]!)) i++;
    const name = s.slice(start, i);
    if (!name) throw bad(input, `expected a label name at position ${start}`);
    if (!isValidLabelName(name)) throw bad(input, `invalid label name "${name}"`);
    ws();
    let type: MatchType;
    const two = s.slice(i, i + 2);
    if (two === '=~' || two === '!~' || two === '!=') {
      type = two;
      i += 2;
    } else if (s[i] === '=') {
      type = '=';
      i++;
    } else throw bad(input, `expected one of =, !=, =~, !~ after "${name}"`);
    ws();
    let value = '';
    if (s[i] === '"') {
      i++;
      let closed = false;
      while (i < s.length) {
        const c = s[i++]!;
        if (c === '"') {
          closed = true;
          break;
        }
        if (c === '\\') {
          const n = s[i++];
          if (n === 'n') value += '\n';
          else if (n === 't') value += '\t';
          else if (n === '"' || n === '\\') value += n;
          // Unknown escapes are kept so that regexes such as \d survive.
          else value += '\\' + (n ?? '');
        } else value += c;
      }
      if (!closed) throw bad(input, 'unterminated quoted value');
    } else {
      const vs = i;
      while (i < s.length && s[i] !== ',') i++;
      value = s.slice(vs, i).trim();
      if (value.includes('"')) throw bad(input, `unexpected quote in unquoted value "${value}"`);
    }
    out.push(new CompiledMatcher({ name, type, value }));
    ws();
    if (i < s.length) {
      if (s[i] !== ',') throw bad(input, `expected "," at position ${i}`);
      i++;
      ws();
    }
  }
  if (out.length === 0) throw bad(input, 'no matcher');
  return out;
}

/** Parses a list of matcher strings (each may hold several) into one list. */
export function parseMatcherList(list: readonly string[]): CompiledMatcher[] {
  return list.flatMap((s) => parseMatchers(s));
}

/** Alertmanager's deprecated `match: {k: v}` and `match_re: {k: re}` forms. */
export function legacyMatchers(match?: Readonly<Record<string, string>>, matchRe?: Readonly<Record<string, string>>): CompiledMatcher[] {
  const out: CompiledMatcher[] = [];
  for (const [name, value] of Object.entries(match ?? {})) out.push(new CompiledMatcher({ name, type: '=', value }));
  for (const [name, value] of Object.entries(matchRe ?? {})) out.push(new CompiledMatcher({ name, type: '=~', value }));
  return out;
}

/** A matcher in Alertmanager's API v2 JSON shape. */
export interface ApiMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  /** Absent in old clients: then true. */
  isEqual?: boolean;
}

export function toApiMatcher(m: LabelMatcher): Required<ApiMatcher> {
  return { name: m.name, value: m.value, isRegex: m.type === '=~' || m.type === '!~', isEqual: m.type === '=' || m.type === '=~' };
}

export function fromApiMatcher(m: ApiMatcher): LabelMatcher {
  const eq = m.isEqual ?? true;
  const type: MatchType = m.isRegex ? (eq ? '=~' : '!~') : eq ? '=' : '!=';
  return { name: m.name, type, value: m.value };
}

/** `{a="1", b=~"x|y"}`, for messages and logs. */
export function formatMatchers(ms: readonly LabelMatcher[]): string {
  return `{${ms.map((m) => `${m.name}${m.type}${JSON.stringify(m.value)}`).join(', ')}}`;
}

function bad(input: string, msg: string): VigilError {
  return new VigilError('BAD_MATCHER', `invalid matcher ${JSON.stringify(input)}: ${msg}`);
}
