import type { ActionResult } from '../types.js';

/**
 * Handler results stay small: a runaway command or a chatty endpoint must not
 * fill the audit log. Text past the limit is cut with a note saying how much.
 */
export const OUTPUT_LIMIT = 16 * 1024;

export function boundedText(text: string, limit = OUTPUT_LIMIT, dropped = 0): string {
  const over = Math.max(0, text.length - limit) + dropped;
  if (over === 0) return text;
  return `${text.slice(0, limit)}\n… [output truncated: ${over} more characters]`;
}

export function succeeded(output: string, changed?: Record<string, unknown>): ActionResult {
  return changed ? { ok: true, output: boundedText(output), changed } : { ok: true, output: boundedText(output) };
}

export function failed(output: string, changed?: Record<string, unknown>): ActionResult {
  return changed ? { ok: false, output: boundedText(output), changed } : { ok: false, output: boundedText(output) };
}

/** One line for messages built from someone else's text. */
export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
