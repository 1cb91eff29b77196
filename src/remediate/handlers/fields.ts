import { z } from 'zod';
import { duration } from '../../config/fields.js';
import { renderTemplate } from '../template.js';
import type { TemplateVars } from '../types.js';

/** Parameter fields the handlers share. Strings may hold `{{ ... }}` templates, rendered at run time. */

/** A handler's own time limit (`10s`, `2m`), in milliseconds. */
export const timeoutField = () => duration({ min: 1 }).optional();

/** An environment variable's name (where a secret is read from, never the secret itself). */
export const envName = () => z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name such as API_TOKEN');

/**
 * A whole number written as a number or as a template giving one
 * (`replicas: "{{ steps.scale.changed.previousReplicas }}"` in a rollback step).
 */
export const intOrTemplate = () =>
  z.union([z.number().int(), z.string().refine((s) => s.includes('{{') || /^-?\d+$/.test(s.trim()), 'expected a whole number or a {{ template }}')]);

export type IntOrTemplate = number | string;

/** Renders an intOrTemplate field; throws a RangeError naming the field when the result is not a whole number. */
export function renderInt(value: IntOrTemplate, vars: TemplateVars, field: string): number {
  if (typeof value === 'number') return value;
  const text = renderTemplate(value, vars).trim();
  if (!/^-?\d+$/.test(text)) throw new RangeError(`${field}: expected a whole number, got ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text);
}

/** Reads a named secret from the action's environment; throws when it is missing or empty. */
export function readEnvSecret(env: Readonly<Record<string, string | undefined>>, name: string, what: string): string {
  const v = env[name];
  if (v === undefined || v === '') throw new RangeError(`environment variable ${name} (${what}) is not set`);
  return v;
}
