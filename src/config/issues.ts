import type { z } from 'zod';
import type { Document, LineCounter } from 'yaml';
import type { ConfigIssue } from './errors.js';
import { type PathSegment, locate } from './locate.js';
import { knownKeysAt } from './schema-keys.js';
import { closestMatch } from './suggest.js';
import { REDACTED, isSecretPath } from './redact.js';
import { isPlainObject } from './env-overrides.js';

/** What is needed to turn schema errors into located, readable config issues. */
export interface IssueContext {
  file: string;
  doc: Document;
  lineCounter: LineCounter;
  schema: z.ZodType;
  /** The raw config that was validated (after env substitution and overrides). */
  input: unknown;
  /** Dotted path -> environment variable that set it. */
  overrides: ReadonlyMap<string, string>;
}

export function toConfigIssues(zodIssues: readonly z.core.$ZodIssue[], ctx: IssueContext): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of zodIssues) {
    const path = issue.path.filter((p): p is PathSegment => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(ctx.schema, path);
      for (const key of issue.keys) out.push(at(ctx, [...path, key], 'key', unknownKeyMessage(key, known)));
    } else {
      out.push(at(ctx, path, 'value', message(issue, path, ctx.input)));
    }
  }
  // File order reads best; environment problems (line 0) come first.
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

function at(ctx: IssueContext, path: PathSegment[], where: 'key' | 'value', message: string): ConfigIssue {
  const dotted = path.join('.');
  for (const [overridden, env] of ctx.overrides) {
    if (dotted === overridden || dotted.startsWith(overridden + '.')) {
      return { file: `$${env}`, line: 0, column: 0, path: dotted, message: `${message} (set by environment variable ${env})` };
    }
  }
  return { file: ctx.file, ...locate(ctx.doc, ctx.lineCounter, path, where), path: dotted, message };
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  const guess = closestMatch(key, known);
  if (guess) return `unknown key "${key}", did you mean "${guess}"?`;
  return known.length ? `unknown key "${key}" (expected one of: ${known.join(', ')})` : `unknown key "${key}"`;
}

function message(issue: z.core.$ZodIssue, path: PathSegment[], input: unknown): string {
  const value = valueAt(input, path);
  // Only schema type checks mean "absent"; custom checks say what they mean (and may
  // address a shape the raw input lacks, e.g. a `- name` shorthand expanded to an object).
  const typeCheck = issue.code === 'invalid_type' || issue.code === 'invalid_value';
  if (value === undefined && typeCheck) return `required field is missing${expectation(issue)}`;
  let text = issue.message;
  if (issue.code === 'invalid_type' && isScalar(value)) text += ` (${JSON.stringify(value)})`;
  if (issue.code === 'invalid_value' && typeof value === 'string') {
    const guess = closestMatch(value, issue.values.map(String));
    if (guess) text += `; did you mean "${guess}"?`;
  }
  // Field messages may quote the bad value; a secret must not appear in them.
  if (isSecretPath(path) && typeof value === 'string' && value !== '') text = text.split(value).join(REDACTED);
  return text;
}

function expectation(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return ` (expected ${issue.expected})`;
  if (issue.code === 'invalid_value') return ` (one of: ${issue.values.join(', ')})`;
  return '';
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function valueAt(input: unknown, path: readonly PathSegment[]): unknown {
  let v = input;
  for (const seg of path) {
    if (Array.isArray(v) && typeof seg === 'number') v = v[seg];
    else if (isPlainObject(v)) v = v[String(seg)];
    else return undefined;
  }
  return v;
}
