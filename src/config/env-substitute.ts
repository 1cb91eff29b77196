import { type Document, type LineCounter, type Node, isPair, isSeq, visit } from 'yaml';
import type { ConfigIssue } from './errors.js';
import { keyText, position } from './locate.js';

/**
 * `${VAR}` and `${VAR:-default}` inside string values, so secrets (tokens,
 * webhook URLs) can stay out of the file. `$${` writes a literal `${`.
 * Substituted values stay strings; an unset variable without a default is an error
 * rather than an empty string, since an empty token fails later and less clearly.
 */

// Alternatives in order: escape, a well-formed reference, any other `${` (malformed).
const REF_RE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{/g;

export type Env = Readonly<Record<string, string | undefined>>;

/** Returns the substituted text and the problems found (unset variables, malformed references). */
export function substituteEnv(text: string, env: Env): { value: string; problems: string[] } {
  const problems: string[] = [];
  const value = text.replace(REF_RE, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$${') return '${';
    if (name === undefined) {
      problems.push('malformed variable reference (expected ${NAME} or ${NAME:-default})');
      return match;
    }
    const v = env[name];
    // As in the shell, `:-` also covers a variable that is set but empty.
    if (fallback !== undefined && (v === undefined || v === '')) return fallback;
    if (v === undefined) {
      problems.push(`environment variable ${name} is not set (and has no default; write \${${name}:-default} to give one)`);
      return match;
    }
    return v;
  });
  return { value, problems };
}

/** Substitutes in every string value of the document in place; keys are left alone. */
export function substituteEnvInDocument(doc: Document, lc: LineCounter, env: Env, file: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  visit(doc, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const { value, problems } = substituteEnv(node.value, env);
      node.value = value;
      const at = position(lc, node.range?.[0] ?? 0);
      const path = dottedPath(ancestors, node);
      for (const message of problems) issues.push({ file, ...at, path, message });
    },
  });
  return issues;
}

function dottedPath(ancestors: readonly unknown[], node: Node): string {
  const parts: string[] = [];
  ancestors.forEach((a, i) => {
    const child = ancestors[i + 1] ?? node;
    if (isPair(a)) parts.push(keyText(a.key));
    else if (isSeq(a)) parts.push(String(a.items.indexOf(child as Node)));
  });
  return parts.join('.');
}
