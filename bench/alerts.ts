// npm run bench:alerts: noise reduction and alert ingestion.
//
// 1. A simulated day of the fleet simulator's incident scenarios through the
//    real pipeline (ingest, detection, the default rule set rules/default.yaml,
//    the dispatcher with the default routing, the incident stage with its
//    defaults and the fleet's service catalogue, the outbox, a local HTTP
//    receiver), scored against the simulator's ground truth; then the same
//    alerting without the catalogue.
// 2. Alertmanager-webhook ingestion into a running Vigil with 10,000 active alerts.
//
// Writes bench/results/alerts.json (flat numbers). `--day-only` / `--ingest-only` run one part.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { simulateFleetDay } from './alerts-fleet.js';
import { runAlerting } from './alerts-pipeline.js';
import { scoreDay } from './alerts-score.js';
import { runIngest } from './alerts-ingest.js';

const args = new Set(process.argv.slice(2));
const progress = (msg: string) => process.stderr.write(`[bench:alerts] ${msg}\n`);
const results: Record<string, number> = {};

if (!args.has('--ingest-only')) {
  // One configuration: a 12-service fleet (36 hosts), incidents at 12 a day, three clean days of history.
  const scenario = { seed: 1, services: 12, hostsPerService: 3, incidentsPerDay: 12, warmupDays: 3, catalogue: true };
  const t0 = performance.now();
  const day = simulateFleetDay(scenario, progress);
  const simulatedS = (performance.now() - t0) / 1000;
  const run = await runAlerting(day, resolve('rules/default.yaml'), progress);
  // The same day without the service catalogue (no `services:`): what the incident stage does with only what it learns.
  const bare = { ...day.config, services: [], storage: { ...day.config.storage, dir: mkdtempSync(join(tmpdir(), 'vigil-bench-alerts-bare-')) } };
  const bareRun = await runAlerting({ ...day, config: bare }, resolve('rules/default.yaml'), progress);
  day.store.close();
  for (const dir of [day.config.storage.dir, bare.storage.dir]) rmSync(dir, { recursive: true, force: true });
  const score = scoreDay(day.incidents, run);
  const bareScore = scoreDay(day.incidents, bareRun);
  Object.assign(results, {
    raw_signals: day.signals.length,
    raw_signals_univariate: day.signals.filter((s) => s.explanation.component !== 'iforest').length,
    ...score,
    notifications_sent_without_catalogue: bareScore.notifications_sent,
    noise_reduction_without_catalogue: bareScore.noise_reduction,
    incidents_missed_without_catalogue: bareScore.incidents_missed,
    false_positive_rate_without_catalogue: bareScore.false_positive_rate,
    series: day.series,
    samples: day.samples,
    simulation_wall_s: simulatedS,
    total_wall_s: (performance.now() - t0) / 1000,
  });
  console.log(
    `day: ${score.incidents} incidents, ${day.signals.length} raw signals, ${score.alerts_fired} alerts fired, ${score.notifications_sent} notifications ` +
      `(+${score.resolved_notifications} resolved): noise_reduction ${score.noise_reduction.toFixed(3)}, incidents_missed ${score.incidents_missed}, ` +
      `false_positive_rate ${score.false_positive_rate.toFixed(3)}, median_time_to_notify_s ${score.median_time_to_notify_s.toFixed(0)}`,
  );
  console.log(
    `day without the service catalogue: ${bareScore.notifications_sent} notifications: noise_reduction ${bareScore.noise_reduction.toFixed(3)}, ` +
      `incidents_missed ${bareScore.incidents_missed}, false_positive_rate ${bareScore.false_positive_rate.toFixed(3)}`,
  );
}

if (!args.has('--day-only')) {
  const r = await runIngest(progress);
  Object.assign(results, r);
  console.log(`ingest: ${r.alerts_ingested_per_sec.toFixed(0)} alerts/s with ${r.active_alerts} active; receipt to notification p50 ${r.alert_p50_ms.toFixed(1)} ms, p99 ${r.alert_p99_ms.toFixed(1)} ms (${r.probes} probes)`);
  // The same with the incident stage off: what correlating every alert into incidents costs on this path.
  const n = await runIngest(progress, { incidents: false });
  Object.assign(results, { alerts_ingested_per_sec_incidents_off: n.alerts_ingested_per_sec, alert_p99_ms_incidents_off: n.alert_p99_ms, alert_p50_ms_incidents_off: n.alert_p50_ms });
  console.log(`ingest, incident stage off: ${n.alerts_ingested_per_sec.toFixed(0)} alerts/s; p50 ${n.alert_p50_ms.toFixed(1)} ms, p99 ${n.alert_p99_ms.toFixed(1)} ms`);
}

if (args.size === 0) {
  mkdirSync('bench/results', { recursive: true });
  const flat = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Number.isFinite(v) ? Number(v.toFixed(4)) : null]));
  writeFileSync('bench/results/alerts.json', JSON.stringify(flat, null, 2) + '\n');
  console.log('wrote bench/results/alerts.json');
}
