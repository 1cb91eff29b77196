import type { Command } from 'commander';
import { parseDuration } from '../config/duration.js';
import { formatMatchers, fromApiMatcher, parseMatchers, toApiMatcher, type SilenceJSON } from '../alerting/dispatch/index.js';
import { UsageError } from './exit.js';
import { addUrlOption, api, handled, isoTime, serverUrl, span, table } from './api-client.js';

/**
 * `vigil silence add|list|expire`, as amtool's `silence add|query|expire`,
 * through the Alertmanager-compatible API v2 of a running Vigil.
 */

interface AddOptions {
  url?: string;
  duration: string;
  by: string;
  comment: string;
}

export function registerSilence(program: Command): void {
  const silence = program.command('silence').description("a running Vigil's silences: add, list, expire");

  addUrlOption(
    silence
      .command('add')
      .description('silence the alerts matching every matcher, from now for --duration')
      .argument('<matchers...>', 'Alertmanager matchers, e.g. \'alertname="DiskFull"\' \'service=~"api|web"\' \'env!=staging\'')
      .option('-d, --duration <duration>', 'how long, e.g. 30m, 2h, 1d', '1h')
      .requiredOption('--by <name>', 'who creates the silence')
      .requiredOption('--comment <text>', 'why'),
  ).action(
    handled(async (args: string[], opts: AddOptions) => {
      let matchers;
      try {
        matchers = args.flatMap((a) => parseMatchers(a)).map(toApiMatcher);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      let ms: number;
      try {
        ms = parseDuration(opts.duration);
      } catch (e) {
        throw new UsageError(`--duration: ${(e as Error).message}`);
      }
      if (ms <= 0) throw new UsageError('--duration: must be greater than 0');
      if (opts.by.trim() === '') throw new UsageError('--by: must not be empty');
      if (opts.comment.trim() === '') throw new UsageError('--comment: must not be empty');
      const base = serverUrl(opts.url);
      const now = Date.now();
      const res = await api<{ silenceID: string }>(base, '/api/v2/silences', {
        method: 'POST',
        body: { matchers, startsAt: new Date(now).toISOString(), endsAt: new Date(now + ms).toISOString(), createdBy: opts.by, comment: opts.comment },
      });
      process.stdout.write(`${res.silenceID}\n`);
      process.stderr.write(`silence ${res.silenceID} ${formatMatchers(matchers.map(fromApiMatcher))} until ${isoTime(now + ms)}\n`);
    }),
  );

  addUrlOption(
    silence
      .command('list')
      .description('list active and pending silences (with --expired: the expired ones instead)')
      .option('--expired', 'show expired silences instead')
      .option('--json', 'print the API answer as JSON'),
  ).action(
    handled(async (opts: { url?: string; expired?: boolean; json?: boolean }) => {
      const base = serverUrl(opts.url);
      const all = await api<SilenceJSON[]>(base, '/api/v2/silences');
      const list = all.filter((s) => (opts.expired ? s.status.state === 'expired' : s.status.state !== 'expired'));
      if (opts.json) {
        process.stdout.write(JSON.stringify(list, null, 2) + '\n');
        return;
      }
      if (list.length === 0) {
        process.stdout.write(opts.expired ? 'no expired silences\n' : 'no active or pending silences\n');
        return;
      }
      process.stdout.write(silenceTable(list));
    }),
  );

  addUrlOption(
    silence
      .command('expire')
      .description('end a silence now (it stays listed as expired)')
      .argument('<id...>', 'silence ids'),
  ).action(
    handled(async (ids: string[], opts: { url?: string }) => {
      const base = serverUrl(opts.url);
      for (const id of ids) {
        await api(base, `/api/v2/silence/${encodeURIComponent(id)}`, { method: 'DELETE' });
        process.stdout.write(`silence ${id} expired\n`);
      }
    }),
  );
}

export function silenceTable(list: readonly SilenceJSON[], now = Date.now()): string {
  const rows = list.map((s) => {
    const starts = Date.parse(s.startsAt);
    const ends = Date.parse(s.endsAt);
    const when = s.status.state === 'active' ? `ends in ${span(ends - now)}` : s.status.state === 'pending' ? `starts in ${span(starts - now)}` : `ended ${isoTime(ends)}`;
    return [s.id, s.status.state, formatMatchers(s.matchers.map(fromApiMatcher)), when, s.createdBy, s.comment];
  });
  return table(['ID', 'STATE', 'MATCHERS', 'WHEN', 'CREATED BY', 'COMMENT'], rows);
}
