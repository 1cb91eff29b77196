import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from './errors.js';
import { type VigilConfig, configSchema } from './schema.js';
import { type Env, substituteEnvInDocument } from './env-substitute.js';
import { applyEnvOverrides, isPlainObject } from './env-overrides.js';
import { position } from './locate.js';
import { toConfigIssues } from './issues.js';

/**
 * Reads vigil.yaml. Order: YAML syntax, `${VAR}` substitution, environment
 * overrides, then schema validation. Each stage reports every problem it finds
 * (not just the first) as a ConfigError, located by file, line and column.
 */
export function loadConfig(file: string, env: Env = process.env): VigilConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message;
    throw new ConfigError([{ file, line: 0, column: 0, path: '', message: `cannot read config: ${reason}` }], { cause: e });
  }
  return parseConfig(text, file, env);
}

/** As loadConfig, for text already in hand; `fileName` only labels the errors. */
export function parseConfig(text: string, fileName = 'vigil.yaml', env: Env = process.env): VigilConfig {
  const lineCounter = new LineCounter();
  // prettyErrors off: we format positions ourselves, one line per problem.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({ file: fileName, ...position(lineCounter, e.pos[0]), path: '', message: `YAML syntax error: ${e.message}` })),
    );
  }

  const unset = substituteEnvInDocument(doc, lineCounter, env, fileName);
  if (unset.length > 0) throw new ConfigError(unset);

  const raw: unknown = doc.toJS() ?? {}; // an empty file means all defaults
  if (!isPlainObject(raw)) {
    throw new ConfigError([{ file: fileName, ...position(lineCounter, 0), path: '', message: topLevelMessage(raw) }]);
  }
  dropExtensionKeys(raw);
  const overrides = applyEnvOverrides(raw, env);

  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const ctx = { file: fileName, doc, lineCounter, schema: configSchema, input: raw, overrides };
    throw new ConfigError(toConfigIssues(result.error.issues, ctx));
  }
  return result.data;
}

/** The configuration used when no file is given: every default, no environment applied. */
export function defaultConfig(): VigilConfig {
  return configSchema.parse({});
}

/**
 * What `vigil serve` uses: the file when one is named, otherwise the defaults;
 * the environment overrides apply either way.
 */
export function resolveConfig(file: string | undefined, env: Env = process.env): VigilConfig {
  return file === undefined ? parseConfig('', '(defaults)', env) : loadConfig(file, env);
}

/**
 * Top-level keys starting with `x-` are ignored, as in Docker Compose, so YAML
 * anchors shared by several sections have somewhere to live.
 */
function dropExtensionKeys(raw: Record<string, unknown>): void {
  for (const key of Object.keys(raw)) if (key.startsWith('x-')) delete raw[key];
}

function topLevelMessage(v: unknown): string {
  const got = Array.isArray(v) ? 'a list' : `${typeof v} ${JSON.stringify(v)}`;
  return `expected a mapping of sections (server:, storage:, ...) at the top level, got ${got}`;
}

