import assert from 'node:assert/strict';
import { LineCounter, parseDocument } from 'yaml';
import { section } from '../../src/config/fields.js';
import { toConfigIssues } from '../../src/config/issues.js';
import { formatIssue } from '../../src/config/errors.js';
import { oncallSchema } from '../../src/config/sections/oncall.js';
import type { OncallConfig } from '../../src/oncall/index.js';

export const S = 1000;
export const M = 60 * S;
export const H = 60 * M;
export const D = 24 * H;

/** Unix ms of an RFC 3339 instant, so tests read as dates. */
export const at = (s: string): number => {
  const t = Date.parse(s);
  assert.ok(Number.isFinite(t), `bad test date ${s}`);
  return t;
};

/** ISO text of an instant, for readable assertions. */
export const iso = (t: number): string => new Date(t).toISOString().replace('.000Z', 'Z');

// The section as vigil.yaml will hold it once the lead lists it in the schema.
const schema = section({ oncall: oncallSchema });

/** Parses `oncall:` YAML the way `vigil config check` does: valid config, or the located error lines. */
export function parseOncall(text: string): { config?: OncallConfig; errors: string[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  assert.equal(doc.errors.length, 0, String(doc.errors[0]));
  const input: unknown = doc.toJS() ?? {};
  const r = schema.safeParse(input);
  if (r.success) return { config: r.data.oncall, errors: [] };
  const issues = toConfigIssues(r.error.issues, { file: 'vigil.yaml', doc, lineCounter, schema, input, overrides: new Map() });
  return { errors: issues.map(formatIssue) };
}

export function oncall(text: string): OncallConfig {
  const r = parseOncall(text);
  assert.deepEqual(r.errors, []);
  return r.config!;
}

export function oncallErrors(text: string): string[] {
  const r = parseOncall(text);
  assert.ok(r.errors.length > 0, 'expected the config to be refused');
  return r.errors;
}
