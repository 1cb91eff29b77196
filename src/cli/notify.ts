import type { Command } from 'commander';
import { buildNotification, createChannel } from '../notify/index.js';
import { resolveConfig } from './serve.js';
import { EXIT_FAILURE, UsageError } from './exit.js';

/**
 * `vigil notify test CHANNEL`: sends one test notification straight to a configured
 * channel (not through the outbox) and says whether the receiver accepted it, so a
 * webhook URL or routing key can be checked before an incident depends on it.
 */
export function registerNotify(program: Command): void {
  const notify = program.command('notify').description('notification channels');
  notify
    .command('test')
    .description('send a test notification to one channel from the configuration')
    .argument('<channel>', 'channel name (notify.channels[].name)')
    .option('-c, --config <file>', 'configuration file (default: ./vigil.yaml when present)')
    .action(async (name: string, opts: { config?: string }) => {
      const config = resolveConfig(opts);
      const c = config.notify.channels.find((x) => x.name === name);
      if (!c) {
        const known = config.notify.channels.map((x) => x.name);
        throw new UsageError(`no channel named "${name}" in notify.channels${known.length ? ` (configured: ${known.join(', ')})` : ' (none configured)'}`);
      }
      const channel = createChannel(c);
      const now = Date.now();
      const n = buildNotification({
        channel: name,
        kind: 'test',
        title: 'Vigil test notification',
        summary: `A test from vigil notify test ${name}: if you can read this, the channel works.`,
        alerts: [
          {
            kind: 'alert',
            fingerprint: 'vigil-test',
            source: 'vigil',
            state: 'firing',
            severity: 'info',
            labels: { alertname: 'VigilTestNotification' },
            annotations: { description: 'Sent by `vigil notify test`.' },
            startsAt: now,
          },
        ],
        now,
      });
      const result = await channel.send(n, AbortSignal.timeout(c.timeoutMs ?? config.notify.outbox.timeoutMs));
      await channel.close?.();
      if (result.status === 'delivered') {
        process.stdout.write(`${name} (${channel.type}): test notification delivered\n`);
        return;
      }
      process.stderr.write(`${name} (${channel.type}): test notification ${result.status === 'retry' ? 'not delivered (a retry might succeed)' : 'refused'}: ${result.error}\n`);
      process.exitCode = EXIT_FAILURE;
    });
}
