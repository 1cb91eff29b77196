import type { Command } from 'commander';
import type { Incident, SimilarIncident } from '../incidents/model.js';
import { UsageError, nonEmpty } from './exit.js';
import { addUrlOption, ago, api, handled, isoTime, serverUrl, table } from './api-client.js';

/**
 * `vigil incidents list|show|ack|resolve|merge|split|label`: a running Vigil's
 * incidents through `/api/v1/incidents`.
 */

interface ListRow {
  id: string;
  state: string;
  severity: string;
  title: string;
  services: string[];
  openedAt: number;
  alerts: number;
  anomalies: number;
  rootCause: string | null;
}

const STATES = ['open', 'acknowledged', 'mitigated', 'resolved'];
const TYPES = ['resource_exhaustion', 'deployment_regression', 'dependency_failure', 'traffic_surge', 'data_pipeline_failure', 'network'];

export function registerIncidents(program: Command): void {
  const cmd = program.command('incidents').description("a running Vigil's incidents: list, show, acknowledge, resolve, merge, split, label");
  const post = (url: string | undefined, path: string, body: unknown) => api<{ data: Incident }>(serverUrl(url), path, { method: 'POST', body });
  const at = (id: string, action: string) => `/api/v1/incidents/${encodeURIComponent(id)}/${action}`;

  addUrlOption(cmd.command('list').description('incidents, newest first').option('--state <state>', `only this state (${STATES.join(', ')})`).option('--json', 'print the API answer')).action(
    handled(async (o: { url?: string; state?: string; json?: boolean }) => {
      if (o.state !== undefined && !STATES.includes(o.state)) throw new UsageError(`--state: expected one of ${STATES.join(', ')}, got ${JSON.stringify(o.state)}`);
      const res = await api<{ data: ListRow[] }>(serverUrl(o.url), `/api/v1/incidents${o.state ? `?state=${o.state}` : ''}`);
      if (o.json) return void process.stdout.write(JSON.stringify(res.data, null, 2) + '\n');
      if (res.data.length === 0) return void process.stdout.write('no incidents\n');
      process.stdout.write(
        table(
          ['ID', 'STATE', 'SEVERITY', 'OPENED', 'ALERTS', 'ROOT CAUSE', 'TITLE'],
          res.data.map((i) => [i.id, i.state, i.severity, ago(i.openedAt), `${i.alerts}+${i.anomalies}`, i.rootCause ?? '', i.title]),
        ),
      );
    }),
  );

  addUrlOption(cmd.command('show').description('one incident: summary, root causes with evidence, timeline, similar past incidents').argument('<id>').option('--json', 'print the API answer')).action(
    handled(async (id: string, o: { url?: string; json?: boolean }) => {
      const res = await api<{ data: Incident & { similar: SimilarIncident[] } }>(serverUrl(o.url), `/api/v1/incidents/${encodeURIComponent(id)}`);
      if (o.json) return void process.stdout.write(JSON.stringify(res.data, null, 2) + '\n');
      process.stdout.write(showIncident(res.data));
    }),
  );

  addUrlOption(cmd.command('ack').description('acknowledge an incident').argument('<id>').requiredOption('--by <name>', 'who').option('--comment <text>', 'a comment')).action(
    handled(async (id: string, o: { url?: string; by: string; comment?: string }) => {
      await post(o.url, at(id, 'ack'), { by: nonEmpty(o.by, '--by'), ...(o.comment !== undefined && { comment: nonEmpty(o.comment, '--comment') }) });
      process.stdout.write(`incident ${id} acknowledged by ${o.by}\n`);
    }),
  );

  addUrlOption(cmd.command('resolve').description('resolve an incident with a note (kept, and shown with similar incidents later)').argument('<id>').requiredOption('--by <name>', 'who').requiredOption('--note <text>', 'what fixed it')).action(
    handled(async (id: string, o: { url?: string; by: string; note: string }) => {
      await post(o.url, at(id, 'resolve'), { by: nonEmpty(o.by, '--by'), note: nonEmpty(o.note, '--note') });
      process.stdout.write(`incident ${id} resolved by ${o.by}\n`);
    }),
  );

  addUrlOption(cmd.command('merge').description('merge other incidents into this one').argument('<id>').argument('<others...>', 'incidents to merge into <id>').requiredOption('--by <name>', 'who')).action(
    handled(async (id: string, others: string[], o: { url?: string; by: string }) => {
      const res = await post(o.url, at(id, 'merge'), { incidents: others, by: nonEmpty(o.by, '--by') });
      process.stdout.write(`merged ${others.join(', ')} into ${id} (${res.data.members.length} members)\n`);
    }),
  );

  addUrlOption(cmd.command('split').description('move members (ids from `show`) to a new incident').argument('<id>').argument('<members...>', 'member ids, e.g. alert:3f2a...').requiredOption('--by <name>', 'who')).action(
    handled(async (id: string, members: string[], o: { url?: string; by: string }) => {
      const res = await post(o.url, at(id, 'split'), { members, by: nonEmpty(o.by, '--by') });
      process.stdout.write(`moved ${members.length} members to new incident ${res.data.id}\n`);
    }),
  );

  addUrlOption(
    cmd
      .command('label')
      .description("label an incident's true root cause (feeds ranking priors and classifier training)")
      .argument('<id>')
      .requiredOption('--root-cause <service>', 'the service that caused it')
      .requiredOption('--by <name>', 'who')
      .option('--metric <name>', 'the metric that showed it first')
      .option('--type <type>', `incident type (${TYPES.join(', ')})`)
      .option('--severity <severity>', 'its true severity'),
  ).action(
    handled(async (id: string, o: { url?: string; rootCause: string; by: string; metric?: string; type?: string; severity?: string }) => {
      if (o.type !== undefined && !TYPES.includes(o.type)) throw new UsageError(`--type: expected one of ${TYPES.join(', ')}, got ${JSON.stringify(o.type)}`);
      await post(o.url, at(id, 'root-cause'), { service: nonEmpty(o.rootCause, '--root-cause'), by: nonEmpty(o.by, '--by'), ...(o.metric && { metric: o.metric }), ...(o.type && { type: o.type }), ...(o.severity && { severity: o.severity }) });
      process.stdout.write(`incident ${id}: root cause ${o.rootCause} recorded\n`);
    }),
  );
}

export function showIncident(i: Incident & { similar: SimilarIncident[] }): string {
  const out: string[] = [];
  out.push(`${i.id}  ${i.state}  ${i.severity}  ${i.title}`, '', i.summary, '');
  out.push(`services: ${i.services.join(', ')}`);
  if (i.classification) out.push(`type: ${i.classification.type} (${i.classification.method}, confidence ${i.classification.typeConfidence})`);
  if (i.label) out.push(`labelled root cause: ${i.label.service}${i.label.metric ? ` (${i.label.metric})` : ''} by ${i.label.by}`);
  if (i.resolution) out.push(`resolved by ${i.resolution.by}: ${i.resolution.note}`);
  out.push('', 'root causes:');
  for (const c of i.rootCauses.slice(0, 5)) {
    out.push(`  ${c.score.toFixed(3)}  ${c.service}${c.metric ? ` (${c.metric})` : ''}  ${c.evidence.notes.join('; ')}`);
    if (c.evidence.path.length > 1) out.push(`         path: ${c.evidence.path.join(' -> ')}`);
    if (c.actions.length) out.push(`         actions: ${c.actions.slice(0, 3).join('; ')}`);
  }
  out.push('', 'timeline:');
  for (const e of i.timeline) out.push(`  ${isoTime(e.t)}  ${e.kind.padEnd(15)} ${e.text}`);
  out.push('', 'members:');
  for (const m of i.members) out.push(`  ${m.id}  ${m.state}  ${m.text}`);
  if (i.similar.length) {
    out.push('', 'similar past incidents:');
    for (const s of i.similar) out.push(`  ${s.score.toFixed(2)}  ${s.id}  ${s.title}${s.resolutionNote ? ` — fixed: ${s.resolutionNote}` : ''}`);
  }
  return out.join('\n') + '\n';
}

