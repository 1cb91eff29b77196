import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { type Document, LineCounter, parseDocument } from 'yaml';
import { ConfigError, type ConfigIssue } from '../../config/errors.js';
import { isPlainObject } from '../../config/env-overrides.js';
import { locate, position, type PathSegment } from '../../config/locate.js';
import { toConfigIssues } from '../../config/issues.js';
import { ruleFileSchema } from '../../config/sections/rules.js';
import { conditionRefs, type Rule } from './types.js';

/**
 * Rule files: YAML mappings with a `rules:` list, validated with the same
 * schema as vigil.yaml's `rules:` and reported the same way, one
 * `file:line:column: path: problem` line per problem. `loadRules` combines the
 * config's own rules with the rule files and checks the set as a whole
 * (unique names, composite references known, no cycles).
 */

/** Rules from one source, with a way to point at where each is written. */
export interface RuleSource {
  file: string;
  rules: Rule[];
  /** Where rule `index`'s `key` is written (line 0 when unknown). */
  locate(index: number, key: PathSegment[]): { line: number; column: number };
  /** Path prefix of the rules list in the file (`rules`). */
  prefix: string;
}

/** Parses a rule file's text; `fileName` labels the errors. Throws ConfigError listing every problem. */
export function parseRuleFile(text: string, fileName = 'rules.yaml'): Rule[] {
  return parseRuleSource(text, fileName).rules;
}

/** Reads and parses one rule file. */
export function loadRuleFile(file: string): Rule[] {
  return parseRuleSource(readText(file), file).rules;
}

export interface LoadRulesOptions {
  /** Rules from vigil.yaml's `rules:` (already validated by the config schema). */
  rules?: readonly Rule[];
  /** The config file they came from: used to point at them in errors. */
  configFile?: string;
  /** vigil.yaml's `ruleFiles:`: paths, relative to `baseDir`; `*` and `?` allowed in the last segment. */
  ruleFiles?: readonly string[];
  /** Default: the config file's directory, else the working directory. */
  baseDir?: string;
}

/**
 * Every rule Vigil should evaluate: the config's and the rule files', checked
 * together. Throws one ConfigError with every problem in every file.
 */
export function loadRules(opts: LoadRulesOptions): Rule[] {
  const issues: ConfigIssue[] = [];
  const sources: RuleSource[] = [];
  if (opts.rules && opts.rules.length > 0) sources.push(configSource(opts.rules, opts.configFile));
  const base = opts.baseDir ?? (opts.configFile ? dirname(opts.configFile) : process.cwd());
  for (const pattern of opts.ruleFiles ?? []) {
    let files: string[];
    try {
      files = expand(isAbsolute(pattern) ? pattern : join(base, pattern));
    } catch (e) {
      issues.push({ file: pattern, line: 0, column: 0, path: '', message: `cannot list rule files: ${(e as Error).message}` });
      continue;
    }
    for (const file of files) {
      try {
        sources.push(parseRuleSource(readText(file), file));
      } catch (e) {
        if (e instanceof ConfigError) issues.push(...e.issues);
        else throw e;
      }
    }
  }
  issues.push(...checkRuleSet(sources));
  if (issues.length > 0) throw new ConfigError(issues);
  return sources.flatMap((s) => s.rules);
}

/** Cross-rule problems: duplicate names, composite rules naming unknown rules, and reference cycles. */
export function checkRuleSet(sources: readonly RuleSource[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = (src: RuleSource, i: number, key: PathSegment[], message: string): ConfigIssue => ({
    file: src.file,
    ...src.locate(i, key),
    path: [src.prefix, i, ...key].join('.'),
    message,
  });
  const byName = new Map<string, { rule: Rule; src: RuleSource; index: number }>();
  for (const src of sources) {
    src.rules.forEach((rule, i) => {
      const first = byName.get(rule.name);
      if (first) {
        const where = first.src === src ? `rule ${first.index}` : `${first.src.file} (${first.src.prefix}.${first.index})`;
        issues.push(at(src, i, ['name'], `duplicate rule name "${rule.name}" (also defined in ${where})`));
      } else byName.set(rule.name, { rule, src, index: i });
    });
  }
  for (const src of sources) {
    src.rules.forEach((rule, i) => {
      if (rule.type !== 'composite') return;
      for (const ref of new Set(conditionRefs(rule.when))) {
        if (ref === rule.name) issues.push(at(src, i, ['when'], `composite rule "${rule.name}" cannot refer to itself`));
        else if (!byName.has(ref)) issues.push(at(src, i, ['when'], `unknown rule "${ref}" (no rule has that name)`));
        else if (rule.use === 'firing' && byName.get(ref)!.rule.alert === false)
          issues.push(at(src, i, ['when'], `rule "${ref}" has alert: false (it never fires); use: firing needs rules that alert`));
      }
    });
  }
  // Cycles among composite rules (A needs B needs A).
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    const entry = byName.get(name);
    if (!entry || entry.rule.type !== 'composite' || state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      issues.push(at(entry.src, entry.index, ['when'], `composite rules refer to each other in a cycle: ${cycle.join(' -> ')}`));
      return;
    }
    state.set(name, 'visiting');
    for (const ref of conditionRefs(entry.rule.when)) if (ref !== name) visit(ref, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of byName.keys()) visit(name, []);
  return issues;
}

/** Composite rules after the rules they refer to, so one pass evaluates everything. */
export function evaluationOrder(rules: readonly Rule[]): Rule[] {
  const byName = new Map(rules.map((r) => [r.name, r]));
  const out: Rule[] = [];
  const done = new Set<string>();
  const visit = (r: Rule, depth: number): void => {
    if (done.has(r.name) || depth > rules.length) return;
    if (r.type === 'composite') {
      for (const ref of conditionRefs(r.when)) {
        const d = byName.get(ref);
        if (d && d !== r) visit(d, depth + 1);
      }
    }
    if (!done.has(r.name)) {
      done.add(r.name);
      out.push(r);
    }
  };
  for (const r of rules) visit(r, 0);
  return out;
}

function parseRuleSource(text: string, fileName: string): RuleSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => ({ file: fileName, ...position(lineCounter, e.pos[0]), path: '', message: `YAML syntax error: ${e.message}` })));
  }
  const raw: unknown = doc.toJS() ?? {};
  if (!isPlainObject(raw)) {
    const got = Array.isArray(raw) ? 'a list' : `${typeof raw} ${JSON.stringify(raw)}`;
    throw new ConfigError([{ file: fileName, ...position(lineCounter, 0), path: '', message: `expected a mapping with a "rules:" list at the top level, got ${got}` }]);
  }
  const result = ruleFileSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(toConfigIssues(result.error.issues, { file: fileName, doc, lineCounter, schema: ruleFileSchema, input: raw, overrides: new Map() }));
  }
  return { file: fileName, rules: result.data.rules, prefix: 'rules', locate: locator(doc, lineCounter, 'rules') };
}

function configSource(rules: readonly Rule[], configFile: string | undefined): RuleSource {
  let loc: RuleSource['locate'] = () => ({ line: 0, column: 0 });
  if (configFile) {
    try {
      const lineCounter = new LineCounter();
      const doc = parseDocument(readFileSync(configFile, 'utf8'), { lineCounter, merge: true });
      loc = locator(doc, lineCounter, 'rules');
    } catch {
      // Positions are a convenience; the problems are still reported.
    }
  }
  return { file: configFile ?? 'vigil.yaml', rules: [...rules], prefix: 'rules', locate: loc };
}

function locator(doc: Document, lc: LineCounter, prefix: string): RuleSource['locate'] {
  return (index, key) => locate(doc, lc, [prefix, index, ...key], 'value');
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message;
    throw new ConfigError([{ file, line: 0, column: 0, path: '', message: `cannot read rule file: ${reason}` }], { cause: e });
  }
}

/** A path, or a directory plus a last segment with `*` / `?` wildcards (sorted matches; none is not an error). */
function expand(path: string): string[] {
  const name = basename(path);
  if (!/[*?]/.test(name)) return [path];
  const dir = dirname(path);
  if (/[*?]/.test(dir)) throw new Error(`wildcards are only supported in the file name: ${path}`);
  const re = new RegExp('^' + name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
  return readdirSync(dir)
    .filter((f) => re.test(f))
    .sort()
    .map((f) => join(dir, f));
}
