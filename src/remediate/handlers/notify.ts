import { z } from 'zod';
import { SEVERITIES, type Severity } from '../../core/severity.js';
import { renderTemplate } from '../template.js';
import type { ActionHandler } from '../types.js';
import { abortReasonText } from './abort.js';
import { errorMessage, failed, oneLine, succeeded } from './output.js';

/**
 * `type: notify` — tells people what the runbook is doing, through the
 * notification pipeline:
 *
 *   - { type: notify, title: "Restarted {{ service }}", text: "Incident {{ incident.id }}: ...", severity: info, channel: ops-slack }
 */
export const notifyActionSchema = z.strictObject({
  title: z.string().min(1),
  text: z.string().default(''),
  severity: z.enum(SEVERITIES).default('info'),
  /** A notification channel's name; default: the pipeline's routing. */
  channel: z.string().min(1).optional(),
});

export type NotifyActionParams = z.output<typeof notifyActionSchema>;

export type Notifier = (n: { title: string; text: string; severity: Severity; channel?: string }) => Promise<void>;

export function notifyActionHandler(deps: { notify?: Notifier }): ActionHandler<NotifyActionParams> {
  return {
    type: 'notify',
    schema: notifyActionSchema,
    targets: () => [],
    describe: (p, vars) => `notify${p.channel ? ` ${p.channel}` : ''} (${p.severity}): ${renderTemplate(p.title, vars)}${deps.notify ? '' : ' — refused: no notifier is configured'}`,
    run: async (p, ctx) => {
      if (!deps.notify) return failed('notify: no notifier is configured, so this step cannot send anything');
      let message: { title: string; text: string; severity: Severity; channel?: string };
      try {
        message = { title: renderTemplate(p.title, ctx.vars), text: renderTemplate(p.text, ctx.vars), severity: p.severity };
        if (p.channel !== undefined) message.channel = renderTemplate(p.channel, ctx.vars);
      } catch (e) {
        return failed(`notify: ${errorMessage(e)}`);
      }
      if (ctx.signal.aborted) return failed(`notify: aborted: ${abortReasonText(ctx.signal.reason)}`);
      try {
        await abortable(deps.notify(message), ctx.signal);
      } catch (e) {
        if (ctx.signal.aborted) return failed(`notify: aborted: ${abortReasonText(ctx.signal.reason)}`);
        // Channel adapters scrub their own secrets from their errors.
        return failed(`notify: sending failed: ${oneLine(errorMessage(e))}`);
      }
      return succeeded(`notified${message.channel ? ` ${message.channel}` : ''}: ${message.title}`, { title: message.title, ...(message.channel ? { channel: message.channel } : {}) });
    },
  };
}

/** Stops waiting when the signal fires (the notifier itself cannot be cancelled). */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
