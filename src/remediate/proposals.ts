import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import type { Incident } from '../incidents/model.js';
import type { RuleProposal } from './remediation-store.js';

/**
 * Learning from people: when an incident is resolved with a note that says
 * what fixed it ("restarted checkout", "rolled back the deploy", "scaled to 6
 * replicas", "cleaned up /var/log", "re-ran the DAG"), Vigil proposes an
 * automation rule and runbook for review: in dry-run, matched on the
 * incident's type and root-cause service, using the action it recognised.
 * Nothing is enabled by itself; a person pastes it into `remediation:`.
 */

interface FixPattern {
  fix: string;
  re: RegExp;
  step: (service: string) => Record<string, unknown>;
}

const FIXES: FixPattern[] = [
  { fix: 'rollback', re: /\b(roll(ed|ing)?[ -]?back|revert(ed)?|undid the deploy)\b/i, step: (s) => ({ id: 'rollback', action: { type: 'http', method: 'POST', url: `https://deploy.example/api/services/${s}/rollback` } }) },
  { fix: 'restart', re: /\b(restart(ed|ing)?|bounced?|rebooted?|killed and restarted|recycled)\b/i, step: (s) => ({ id: 'restart', action: { type: 'kubernetes', action: 'rollout_restart', namespace: 'default', name: s } }) },
  { fix: 'scale', re: /\b(scal(ed|ing) (up|out)|scaled to|added (\d+ )?(replicas|instances|nodes)|more replicas)\b/i, step: (s) => ({ id: 'scale', action: { type: 'kubernetes', action: 'scale', namespace: 'default', name: s, scaleBy: 50 } }) },
  { fix: 'disk_cleanup', re: /\b(clean(ed)?( up)?|purged?|rotated|freed( up)?|deleted old) .*\b(disk|logs?|space|files)\b/i, step: (s) => ({ id: 'cleanup', action: { type: 'command', argv: ['/usr/local/bin/cleanup-disk', s] } }) },
  { fix: 'rerun_pipeline', re: /\b(re-?ran|re-?run|retried|cleared) .*\b(dag|pipeline|job|task)s?\b/i, step: (s) => ({ id: 'rerun', action: { type: 'airflow', action: 'clear_failed', baseUrl: 'http://airflow:8080', dag_id: s } }) },
];

export function proposeRule(inc: Incident, now: number): RuleProposal | undefined {
  const note = inc.resolution?.note;
  if (!note || inc.resolution?.by === 'vigil' || inc.mergedInto) return undefined;
  const hit = FIXES.find((f) => f.re.test(note));
  if (!hit) return undefined;
  const service = inc.label?.service ?? inc.rootCauses[0]?.service ?? inc.services[0];
  if (!service) return undefined;
  const type = inc.label?.type ?? inc.classification?.type;
  const name = `${hit.fix}-${service}`.replace(/[^a-zA-Z0-9_.:-]/g, '-');
  const doc = {
    runbooks: [{ name, description: `Proposed from incident ${inc.id}: ${note}`, steps: [hit.step(service)] }],
    rules: [
      {
        name,
        description: `Proposed from incident ${inc.id} (${inc.title}); review the action before turning dryRun off.`,
        dryRun: true,
        trigger: { incident: { ...(type && { types: [type] }), rootCause: service.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), minSeverity: 'medium' } },
        runbook: name,
      },
    ],
  };
  return {
    id: `prop-${createHash('sha256').update(`${inc.id}\0${hit.fix}`).digest('hex').slice(0, 12)}`,
    incidentId: inc.id,
    createdAt: now,
    state: 'open',
    reason: `resolution note "${note}" reads as a ${hit.fix.replace('_', ' ')} of ${service}${type ? ` for a ${type.replace(/_/g, ' ')} incident` : ''}`,
    yaml: stringify(doc),
  };
}
