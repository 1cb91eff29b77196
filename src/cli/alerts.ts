import type { Command } from 'commander';
import type { AlertRecord } from '../alerting/rules/index.js';
import { UsageError, nonEmpty } from './exit.js';
import { addUrlOption, ago, api, formatLabels, handled, serverUrl, table } from './api-client.js';

/**
 * `vigil alerts list|ack|resolve`: the alerts of Vigil's rules on a running
 * Vigil, through `GET /api/v1/alerts` and `POST /api/v1/alerts/FP/ack|resolve`.
 */

const STATES = ['pending', 'firing', 'resolved'] as const;

interface ListOptions {
  url?: string;
  state?: string;
  rule?: string;
  json?: boolean;
}

export function registerAlerts(program: Command): void {
  const alerts = program.command('alerts').description("a running Vigil's alerts: list, acknowledge, resolve");

  addUrlOption(
    alerts
      .command('list')
      .description('list alerts (pending, firing and recently resolved) with who acknowledged them')
      .option('--state <state>', `only alerts in this state (${STATES.join(', ')})`)
      .option('--rule <name>', 'only alerts of this rule')
      .option('--json', 'print the API answer as JSON'),
  ).action(
    handled(async (opts: ListOptions) => {
      if (opts.state !== undefined && !(STATES as readonly string[]).includes(opts.state)) throw new UsageError(`--state: expected one of ${STATES.join(', ')}, got ${JSON.stringify(opts.state)}`);
      const base = serverUrl(opts.url);
      const q = new URLSearchParams();
      if (opts.state) q.set('state', opts.state);
      if (opts.rule) q.set('rule', opts.rule);
      const qs = q.toString();
      const res = await api<{ data: AlertRecord[] }>(base, `/api/v1/alerts${qs ? `?${qs}` : ''}`);
      if (opts.json) {
        process.stdout.write(JSON.stringify(res.data, null, 2) + '\n');
        return;
      }
      if (res.data.length === 0) {
        process.stdout.write('no alerts\n');
        return;
      }
      process.stdout.write(alertTable(res.data));
    }),
  );

  addUrlOption(
    alerts
      .command('ack')
      .description('acknowledge a pending or firing alert: it stays firing, marked acknowledged, and does not escalate')
      .argument('<fingerprint>', 'the alert fingerprint (first column of `vigil alerts list`)')
      .requiredOption('--by <name>', 'who acknowledges')
      .option('--comment <text>', 'a comment'),
  ).action(
    handled(async (fp: string, opts: { url?: string; by: string; comment?: string }) => {
      const by = nonEmpty(opts.by, '--by');
      const comment = opts.comment === undefined ? undefined : nonEmpty(opts.comment, '--comment');
      const base = serverUrl(opts.url);
      await api(base, `/api/v1/alerts/${encodeURIComponent(fp)}/ack`, { method: 'POST', body: comment === undefined ? { by } : { by, comment } });
      process.stdout.write(`alert ${fp} acknowledged by ${by}\n`);
    }),
  );

  addUrlOption(
    alerts
      .command('resolve')
      .description('resolve a pending or firing alert by hand; it fires again only after its condition has cleared once')
      .argument('<fingerprint>', 'the alert fingerprint')
      .requiredOption('--by <name>', 'who resolves')
      .requiredOption('--note <text>', 'why (kept with the alert)'),
  ).action(
    handled(async (fp: string, opts: { url?: string; by: string; note: string }) => {
      const by = nonEmpty(opts.by, '--by');
      const note = nonEmpty(opts.note, '--note');
      const base = serverUrl(opts.url);
      await api(base, `/api/v1/alerts/${encodeURIComponent(fp)}/resolve`, { method: 'POST', body: { by, note } });
      process.stdout.write(`alert ${fp} resolved by ${by}\n`);
    }),
  );
}

/** FINGERPRINT STATE SEVERITY ALERTNAME LABELS SINCE ACKED BY; firing first, then pending, then resolved, oldest first. */
export function alertTable(alerts: readonly AlertRecord[], now = Date.now()): string {
  const order: Record<string, number> = { firing: 0, pending: 1, resolved: 2 };
  const since = (a: AlertRecord) => (a.state === 'resolved' ? (a.resolvedAt ?? a.activeAt) : (a.firedAt ?? a.activeAt));
  const sorted = [...alerts].sort((a, b) => (order[a.state] ?? 3) - (order[b.state] ?? 3) || since(a) - since(b) || (a.fingerprint < b.fingerprint ? -1 : 1));
  const rows = sorted.map((a) => [
    a.fingerprint,
    a.state + (a.flapping ? ' (flapping)' : ''),
    a.severity,
    a.labels.alertname ?? a.rule,
    formatLabels(a.labels, ['alertname', 'severity']),
    ago(since(a), now),
    a.ack ? a.ack.by : a.manual ? `(resolved by ${a.manual.by})` : '',
  ]);
  return table(['FINGERPRINT', 'STATE', 'SEVERITY', 'ALERTNAME', 'LABELS', 'SINCE', 'ACKED BY'], rows);
}

