import type { TemplateVars } from './types.js';

/**
 * Templates in remediation actions: `{{ path.to.value }}` replaced by the
 * value at that path of the vars (`{{ incident.id }}`, `{{ labels.pod }}`,
 * `{{ steps.scale.changed.previousReplicas }}`). Unlike annotation templates,
 * a missing value is an error: an action must never run against an empty
 * deployment name or URL segment. `{{ path | default "x" }}` gives a fallback,
 * `{{ path | urlquery }}` escapes for a URL, `{{ path | json }}` writes JSON.
 */

export class TemplateError extends Error {
  readonly code = 'VIGIL_REMEDIATE_TEMPLATE';
}

const EXPR_RE = /\{\{\s*([A-Za-z_][\w.-]*)\s*(?:\|\s*(default|urlquery|json)\s*(?:"((?:[^"\\]|\\.)*)")?\s*)?\}\}/g;

/** Looks up `a.b.c` in vars; undefined when any part is missing. */
export function lookupPath(vars: TemplateVars, path: string): unknown {
  let cur: unknown = vars;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(asText).join(',');
  return JSON.stringify(v);
}

/** Renders `source`; throws a TemplateError naming the missing path. */
export function renderTemplate(source: string, vars: TemplateVars): string {
  if (!source.includes('{{')) return source;
  const out = source.replace(EXPR_RE, (_m, path: string, fn: string | undefined, arg: string | undefined) => {
    const v = lookupPath(vars, path);
    if (fn === 'json') return JSON.stringify(v ?? null);
    if (v === undefined || v === null || v === '') {
      if (fn === 'default') return arg?.replace(/\\(.)/g, '$1') ?? '';
      throw new TemplateError(`template: {{ ${path} }} has no value (known: ${Object.keys(vars).join(', ') || 'none'})`);
    }
    return fn === 'urlquery' ? encodeURIComponent(asText(v)) : asText(v);
  });
  if (out.includes('{{')) throw new TemplateError(`template: cannot parse ${JSON.stringify(source.slice(out.indexOf('{{')))} (expected {{ path }}, {{ path | default "x" }}, {{ path | urlquery }} or {{ path | json }})`);
  return out;
}

/** Renders every string inside a JSON value (objects, arrays), leaving other values alone. */
export function renderDeep<T>(value: T, vars: TemplateVars): T {
  if (typeof value === 'string') return renderTemplate(value, vars) as T;
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, vars)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderDeep(v, vars);
    return out as T;
  }
  return value;
}
