import type { ActionResult } from '../types.js';

/**
 * Handler results stay small: a runaway command or a chatty endpoint must not
 * fill the audit log. Captured text past the limit is cut with a note saying
 * how much was left out.
 */
export const OUTPUT_LIMIT = 16 * 1024;
/** The whole result text, including status lines and truncation notes around bounded parts. */
const RESULT_LIMIT = OUTPUT_LIMIT + 1024;

/**
 * `text` cut to `limit` characters. `droppedBytes` were never captured at all;
 * `moreUnknown` says there may be more still (a download stopped early).
 */
export function boundedText(text: string, limit = OUTPUT_LIMIT, droppedBytes = 0, moreUnknown = false): string {
  if (text.length <= limit && droppedBytes === 0 && !moreUnknown) return text;
  const cut = text.length > limit ? text.slice(0, limit) : text;
  const over = Buffer.byteLength(text.slice(cut.length)) + droppedBytes;
  return `${cut}\n… [output truncated: ${moreUnknown ? 'at least ' : ''}${over} more bytes]`;
}

export function succeeded(output: string, changed?: Record<string, unknown>): ActionResult {
  return changed ? { ok: true, output: boundedText(output, RESULT_LIMIT), changed } : { ok: true, output: boundedText(output, RESULT_LIMIT) };
}

export function failed(output: string, changed?: Record<string, unknown>): ActionResult {
  return changed ? { ok: false, output: boundedText(output, RESULT_LIMIT), changed } : { ok: false, output: boundedText(output, RESULT_LIMIT) };
}

/** One line for messages built from someone else's text. */
export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
