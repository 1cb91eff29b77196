// npm run bench:alerts: noise reduction and alert ingestion.
//
// 1. A simulated day of the fleet simulator's incident scenarios through the
//    real pipeline (ingest, detection, the default rule set rules/default.yaml,
//    the dispatcher with the default routing, the incident stage with its
//    defaults and the fleet's service catalogue, the outbox, a local HTTP
//    receiver), scored against the simulator's ground truth; then the same
//    alerting without the catalogue. Seed 1 is the reported day; held-out days
//    (other seeds) are scored too, added up, so that defaults are chosen on
//    days other than the one reported.
// 2. Alertmanager-webhook ingestion into a running Vigil with 10,000 active alerts.
//
// Writes bench/results/alerts.json (flat numbers). `--day-only` / `--ingest-only` run one part; `--help`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { HELD_OUT_SEEDS, REPORTED_SEED, parseSeeds, runDay } from './alerts-day.js';
import { addTallies, figures, type DayTally } from './alerts-score.js';
import { runIngest } from './alerts-ingest.js';

const argv = process.argv.slice(2);
const args = new Set(argv.filter((a) => a.startsWith('--')));
const progress = (msg: string) => process.stderr.write(`[bench:alerts] ${msg}\n`);
const results: Record<string, number> = {};

if (args.has('--help')) {
  console.log(`node dist/bench/alerts.js [--day-only | --ingest-only] [--seeds LIST] [--explain] [--no-bare] [--cache DIR] [--rules FILE]
  (no flags)     seeds ${[REPORTED_SEED, ...HELD_OUT_SEEDS].join(',')} and alert ingestion; writes bench/results/alerts.json
  --day-only     the simulated days only (no ingestion); writes nothing
  --ingest-only  alert ingestion only; writes nothing
  --seeds LIST   the simulated days to run, e.g. 2,3,4,5 (default ${[REPORTED_SEED, ...HELD_OUT_SEEDS].join(',')}). Seed ${REPORTED_SEED} is the
                 reported day (also run without the catalogue); the others are held-out days, for choosing
                 defaults on days other than the reported one, scored one by one and added up
  --explain      list each day's incidents, pages (what each was for) and alerts fired
  --no-bare      skip the reported day's run without the service catalogue
  --cache DIR    keep each simulated day in DIR and reuse it (for iterating on rules and incident settings;
                 clear DIR after changing the simulator, ingest or detection)
  --rules FILE   another rule set than rules/default.yaml`);
  process.exit(0);
}

if (!args.has('--ingest-only')) {
  const seedsAt = argv.indexOf('--seeds');
  const seeds = seedsAt >= 0 ? parseSeeds(argv[seedsAt + 1]) : [REPORTED_SEED, ...HELD_OUT_SEEDS];
  const valueOf = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const cacheDir = valueOf('--cache');
  const ruleFile = valueOf('--rules');
  const heldOut: DayTally[] = [];
  for (const seed of seeds) {
    const day = await runDay(seed, { withoutCatalogueToo: seed === REPORTED_SEED && !args.has('--no-bare'), explain: args.has('--explain'), ...(cacheDir && { cacheDir }), ...(ruleFile && { ruleFile }) }, progress);
    if (seed === REPORTED_SEED) Object.assign(results, day.results);
    else heldOut.push(day.tally);
  }
  if (heldOut.length > 0) {
    const all = addTallies(heldOut);
    const f = figures(all);
    Object.assign(results, {
      held_out_days: heldOut.length,
      held_out_alerts_fired: all.alertsFired,
      held_out_notifications_sent: all.pages,
      held_out_noise_reduction: f.noise_reduction,
      held_out_incidents: all.incidents,
      held_out_incidents_missed: all.missed,
      held_out_false_positives: all.falsePositives,
      held_out_false_positive_rate: f.false_positive_rate,
      held_out_median_time_to_notify_s: f.median_time_to_notify_s,
    });
    console.log(
      `held-out days (seeds ${seeds.filter((s) => s !== REPORTED_SEED).join(',')}): ${all.incidents} incidents, ${all.alertsFired} alerts fired, ${all.pages} notifications: ` +
        `noise_reduction ${f.noise_reduction.toFixed(3)}, incidents_missed ${all.missed}, false_positive_rate ${f.false_positive_rate.toFixed(3)} ` +
        `(${all.falsePositives}), median_time_to_notify_s ${f.median_time_to_notify_s.toFixed(0)}`,
    );
  }
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

if (argv.length === 0) {
  mkdirSync('bench/results', { recursive: true });
  const flat = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Number.isFinite(v) ? Number(v.toFixed(4)) : null]));
  writeFileSync('bench/results/alerts.json', JSON.stringify(flat, null, 2) + '\n');
  console.log('wrote bench/results/alerts.json');
}
