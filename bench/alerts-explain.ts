// bench:alerts --explain: what each page was for, day by day (which incident, or none: a false positive),
// and every alert that fired, so a miss can be traced to the rule or the correlation behind it.
import type { GroundTruthIncident } from '../src/simulate/index.js';
import type { AlertingRun } from './alerts-pipeline.js';
import { attributable } from './alerts-score.js';

export function explainDay(incidents: readonly GroundTruthIncident[], run: AlertingRun, from: number, out: (line: string) => void): void {
  const at = (t: number) => `${((t - from) / 3_600_000).toFixed(2)}h`;
  const alertName = (l: Record<string, string>) => `${l.alertname}{${l.instance ?? l.service ?? ''}}`;
  const ids = new Map(incidents.map((inc, i) => [inc, `#${i + 1}`]));
  for (const inc of incidents)
    out(`  incident ${ids.get(inc)} ${inc.kind} ${at(inc.startsAt)}-${at(inc.endsAt)} root ${inc.rootHost ?? inc.rootService}: ${[...new Set(inc.affected.map((a) => a.instance))].join(' ')}`);
  const seen = new Set<string>();
  for (const m of [...run.messages].sort((a, b) => a.createdAt - b.createdAt)) {
    if (m.kind !== 'firing' && m.kind !== 'escalated') continue;
    const key = `${m.createdAt}/${m.alerts.map((a) => alertName(a.labels)).sort().join(',')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const hit = incidents.filter((inc) => attributable(m, inc)).map((inc) => ids.get(inc));
    const firing = m.alerts.filter((a) => a.state === 'firing').map((a) => alertName(a.labels));
    out(`  page ${at(m.createdAt)} ${m.kind} for ${hit.length ? hit.join(',') : 'NOTHING (false positive)'}: ${firing.slice(0, 6).join(' ')}${firing.length > 6 ? ` +${firing.length - 6}` : ''}`);
  }
  for (const inc of [...run.notified].sort((a, b) => a.openedAt - b.openedAt)) {
    out(`  incident ${inc.id} (${inc.severity}) ${inc.title}`);
    for (const e of inc.timeline) if (e.kind !== 'note') out(`    ${at(e.t)} ${e.kind}: ${e.text.slice(0, 160)}`);
  }
  for (const f of [...run.firings].sort((a, b) => a.startsAt - b.startsAt)) out(`  alert ${at(f.startsAt)}-${f.endsAt === undefined ? '' : at(f.endsAt)} ${alertName(f.labels)}`);
}
