import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { AuditEntry, AuditVerification } from '../remediate/audit-log.js';
import { AuditLog } from '../remediate/audit-log.js';
import type { Execution } from '../remediate/execution.js';
import type { RuleProposal } from '../remediate/remediation-store.js';
import { UsageError, nonEmpty } from './exit.js';
import { addUrlOption, ago, api, handled, serverUrl, table } from './api-client.js';

/**
 * `vigil remediation list|show|approve|reject|rules|proposals|kill-switch`
 * against a running Vigil, and `vigil audit list|verify` (verify also reads a
 * data directory directly, so it works while Vigil is down or suspected).
 */

const STATES = ['skipped', 'dry_run', 'pending_approval', 'rejected', 'running', 'succeeded', 'failed', 'rolled_back', 'aborted'];


function showExecution(e: Execution & { audit?: AuditEntry[] }): string {
  const lines = [
    `${e.id}  ${e.rule} -> ${e.runbook}  ${e.state.toUpperCase()}${e.dryRun ? ' (dry run)' : ''}`,
    `trigger:    ${e.trigger.text}`,
    `subject:    ${[e.subject.service, e.subject.instance].filter(Boolean).join('/') || '-'}    targets: ${e.targets.join(', ') || '-'}`,
    `confidence: ${e.confidence.value.toFixed(2)} (match ${e.confidence.matchQuality.toFixed(2)}, root cause ${e.confidence.rootCauseScore.toFixed(2)}, success rate ${e.confidence.successRate.toFixed(2)})`,
    `reason:     ${e.reason}`,
  ];
  if (e.plan?.length) lines.push('plan:', ...e.plan.map((p) => `  ${p}`));
  for (const s of e.steps ?? []) lines.push(`step ${s.id}: ${s.ok ? 'ok' : 'FAILED'} (${s.description})${s.output ? `\n    ${s.output.split('\n').slice(0, 5).join('\n    ')}` : ''}`);
  if (e.verification) lines.push(`verification: ${e.verification.holds ? 'passed' : 'failed'} after ${e.verification.checks} checks: ${e.verification.reason}`);
  for (const s of e.rollback ?? []) lines.push(`rollback ${s.id}: ${s.ok ? 'ok' : 'FAILED'} (${s.description})`);
  if (e.audit?.length) lines.push('audit:', ...e.audit.map((a) => `  #${a.seq} ${new Date(a.t).toISOString()} ${a.kind} ${a.actor}: ${a.text}`));
  return lines.join('\n') + '\n';
}

export function registerRemediation(program: Command): void {
  const cmd = program.command('remediation').description("a running Vigil's self-healing: executions, approvals, rules, proposals, kill switch");
  const post = <T>(url: string | undefined, path: string, body: unknown) => api<{ data: T }>(serverUrl(url), path, { method: 'POST', body });
  const at = (id: string, action: string) => `/api/v1/remediation/executions/${encodeURIComponent(id)}/${action}`;

  addUrlOption(cmd.command('list').description('executions, newest first (skipped ones say which guard stopped them)').option('--state <state>', `only this state (${STATES.join(', ')})`).option('--rule <name>').option('--incident <id>').option('--json', 'print the API answer')).action(
    handled(async (o: { url?: string; state?: string; rule?: string; incident?: string; json?: boolean }) => {
      if (o.state !== undefined && !STATES.includes(o.state)) throw new UsageError(`--state: expected one of ${STATES.join(', ')}, got ${JSON.stringify(o.state)}`);
      const q = new URLSearchParams({ ...(o.state && { state: o.state }), ...(o.rule && { rule: o.rule }), ...(o.incident && { incident: o.incident }) });
      const res = await api<{ data: Execution[] }>(serverUrl(o.url), `/api/v1/remediation/executions${q.size ? `?${q}` : ''}`);
      if (o.json) return void process.stdout.write(JSON.stringify(res.data, null, 2) + '\n');
      if (res.data.length === 0) return void process.stdout.write('no executions\n');
      process.stdout.write(table(['ID', 'STATE', 'RULE', 'WHEN', 'CONF', 'SUBJECT', 'REASON'], res.data.map((e) => [e.id, e.guard ? `${e.state}:${e.guard}` : e.state, e.rule, ago(e.createdAt), e.confidence.value.toFixed(2), e.subject.service ?? '', e.reason.slice(0, 80)])));
    }),
  );

  addUrlOption(cmd.command('show').description('one execution: plan, steps with output, verification, rollback, its audit entries').argument('<id>').option('--json', 'print the API answer')).action(
    handled(async (id: string, o: { url?: string; json?: boolean }) => {
      const res = await api<{ data: Execution & { audit: AuditEntry[] } }>(serverUrl(o.url), `/api/v1/remediation/executions/${encodeURIComponent(id)}`);
      process.stdout.write(o.json ? JSON.stringify(res.data, null, 2) + '\n' : showExecution(res.data));
    }),
  );

  for (const [verb, past] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    addUrlOption(cmd.command(verb).description(`${verb} an execution waiting for approval`).argument('<id>').requiredOption('--by <name>', 'who decides (recorded in the audit log)').option('--comment <text>')).action(
      handled(async (id: string, o: { url?: string; by: string; comment?: string }) => {
        const res = await post<Execution>(o.url, at(id, verb), { by: nonEmpty(o.by, '--by'), ...(o.comment !== undefined && { comment: o.comment }) });
        process.stdout.write(`${id} ${past} by ${o.by}: now ${res.data.state}\n`);
      }),
    );
  }

  addUrlOption(cmd.command('rules').description('automation rules with their mode, learned success counts and circuit breaker').option('--json')).action(
    handled(async (o: { url?: string; json?: boolean }) => {
      const res = await api<{ data: Array<{ name: string; enabled: boolean; dryRun: boolean; approval: boolean; trigger: string; runbook: string; successes: number; failures: number; breaker: string }> }>(serverUrl(o.url), '/api/v1/remediation/rules');
      if (o.json) return void process.stdout.write(JSON.stringify(res.data, null, 2) + '\n');
      if (res.data.length === 0) return void process.stdout.write('no automation rules\n');
      process.stdout.write(table(['RULE', 'MODE', 'TRIGGER', 'RUNBOOK', 'OK/FAILED', 'BREAKER'], res.data.map((r) => [r.name, !r.enabled ? 'disabled' : r.dryRun ? 'dry-run' : r.approval ? 'approval' : 'live', r.trigger, r.runbook, `${r.successes}/${r.failures}`, r.breaker])));
    }),
  );

  addUrlOption(cmd.command('proposals').description('rules proposed from incident resolution notes, for review').option('--json')).action(
    handled(async (o: { url?: string; json?: boolean }) => {
      const res = await api<{ data: RuleProposal[] }>(serverUrl(o.url), '/api/v1/remediation/proposals');
      if (o.json) return void process.stdout.write(JSON.stringify(res.data, null, 2) + '\n');
      if (res.data.length === 0) return void process.stdout.write('no proposals\n');
      for (const p of res.data) process.stdout.write(`# ${p.id} from incident ${p.incidentId}: ${p.reason}\n${p.yaml}\n`);
    }),
  );

  addUrlOption(cmd.command('kill-switch').description('stop all remediation at once (aborts running actions), or allow it again').argument('<on|off|status>').option('--by <name>', 'who (required for on/off)').option('--reason <text>')).action(
    handled(async (state: string, o: { url?: string; by?: string; reason?: string }) => {
      if (state === 'status') {
        const res = await api<{ data: { on: boolean } }>(serverUrl(o.url), '/api/v1/remediation/kill-switch');
        return void process.stdout.write(`kill switch ${res.data.on ? 'ON: no remediation runs' : 'off'}\n`);
      }
      if (state !== 'on' && state !== 'off') throw new UsageError(`kill-switch: expected on, off or status, got ${JSON.stringify(state)}`);
      if (!o.by) throw new UsageError('kill-switch on|off: --by <name> is required (recorded in the audit log)');
      const res = await post<{ on: boolean }>(o.url, '/api/v1/remediation/kill-switch', { on: state === 'on', by: nonEmpty(o.by, '--by'), ...(o.reason && { reason: o.reason }) });
      process.stdout.write(`kill switch ${res.data.on ? 'ON' : 'off'}\n`);
    }),
  );

  const audit = program.command('audit').description('the remediation audit log: list entries, verify the hash chain');
  addUrlOption(audit.command('list').description('audit entries, oldest first').option('--execution <id>').option('--incident <id>').option('--rule <name>').option('--limit <n>', 'newest n', '100').option('--json')).action(
    handled(async (o: { url?: string; execution?: string; incident?: string; rule?: string; limit: string; json?: boolean }) => {
      const q = new URLSearchParams({ limit: o.limit, ...(o.execution && { execution: o.execution }), ...(o.incident && { incident: o.incident }), ...(o.rule && { rule: o.rule }) });
      const res = await api<{ data: AuditEntry[] }>(serverUrl(o.url), `/api/v1/remediation/audit?${q}`);
      if (o.json) return void process.stdout.write(JSON.stringify(res.data, null, 2) + '\n');
      for (const a of res.data) process.stdout.write(`#${a.seq} ${new Date(a.t).toISOString()} ${a.kind.padEnd(18)} ${a.actor}: ${a.text}\n`);
    }),
  );
  addUrlOption(
    audit
      .command('verify')
      .description('re-compute the hash chain; exit 1 naming the first bad row when any row was edited, deleted or reordered')
      .option('--data-dir <dir>', "read <dir>/remediation.db directly instead of asking a running Vigil"),
  ).action(
    handled(async (o: { url?: string; dataDir?: string }) => {
      let v: AuditVerification;
      if (o.dataDir) {
        const file = join(o.dataDir, 'remediation.db');
        if (!existsSync(file)) throw new UsageError(`--data-dir: ${file} does not exist`);
        const log = new AuditLog(file);
        try {
          v = log.verify();
        } finally {
          log.close();
        }
      } else v = (await api<{ data: AuditVerification }>(serverUrl(o.url), '/api/v1/remediation/audit/verify')).data;
      if (v.ok) return void process.stdout.write(`audit log intact: ${v.entries} entries, hash chain verified\n`);
      process.stdout.write(`audit log TAMPERED: row ${v.firstBad!.seq}: ${v.firstBad!.problem}\n`);
      process.exitCode = 1;
    }),
  );
}
