import { join } from 'node:path';
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/schema.js';
import { VigilError } from '../core/errors.js';
import { EscalationRunner } from '../oncall/index.js';
import type { Outbox } from '../notify/index.js';

/**
 * Starts the on-call escalation runner when escalation policies are configured.
 * Each delivery becomes one outbox notification with the runner's deterministic
 * id, so a step retried after a crash is never sent twice.
 */
export function startOncall(config: VigilConfig, outbox: Outbox | undefined, logger: Logger): EscalationRunner | undefined {
  const policies = new Set(config.oncall.escalationPolicies.map((p) => p.name));
  config.routing.receivers.forEach((r, i) => {
    if (r.escalationPolicy && !policies.has(r.escalationPolicy))
      throw new VigilError('CONFIG_INVALID', `routing.receivers[${i}].escalation_policy: unknown escalation policy "${r.escalationPolicy}" (not in oncall.escalationPolicies)`);
  });
  if (policies.size === 0) return undefined;
  const runner = new EscalationRunner({
    db: join(config.storage.dir, 'oncall.db'),
    config: config.oncall,
    deliver: (d) => {
      if (!outbox?.has(d.channel)) {
        logger.warn({ page: d.key, channel: d.channel, person: d.person }, 'on-call step names a channel that is not in notify.channels; skipped');
        return;
      }
      outbox.enqueue({ ...d.template, id: d.id, channel: d.channel, createdAt: d.at, kind: d.round === 1 && d.step === 1 ? 'firing' : 'escalated' });
    },
    onProblem: (p) => logger.warn(p, 'on-call escalation problem'),
  });
  runner.start(1000);
  return runner;
}
