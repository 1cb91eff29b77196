// One simulated day of bench:alerts: simulate, alert, score.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { simulateFleetDay } from './alerts-fleet.js';
import { runAlerting } from './alerts-pipeline.js';
import { scoreDay, type DayTally } from './alerts-score.js';
import { explainDay } from './alerts-explain.js';

/** The day whose figures are reported (the JSON's unprefixed keys). */
export const REPORTED_SEED = 1;
/** Days for choosing defaults: nothing is tuned on the reported day itself. */
export const HELD_OUT_SEEDS: readonly number[] = [2, 3, 4, 5];

export interface DayRun {
  /** The reported day's flat figures (its JSON keys). */
  results: Record<string, number>;
  tally: DayTally;
}

export function parseSeeds(list: string | undefined): number[] {
  const seeds = (list ?? '').split(',').map((s) => Number(s.trim()));
  if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`--seeds wants positive integers separated by commas, got ${JSON.stringify(list)}`);
  return seeds;
}

/** One configuration: a 12-service fleet (36 hosts), incidents at 12 a day, three clean days of history. */
export async function runDay(seed: number, opts: { withoutCatalogueToo: boolean; explain: boolean; cacheDir?: string; ruleFile?: string }, progress: (msg: string) => void): Promise<DayRun> {
  const say = (msg: string) => progress(`seed ${seed}: ${msg}`);
  const scenario = { seed, services: 12, hostsPerService: 3, incidentsPerDay: 12, warmupDays: 3, catalogue: true };
  const t0 = performance.now();
  const day = simulateFleetDay(scenario, say, opts.cacheDir);
  const simulatedS = (performance.now() - t0) / 1000;
  const rules = resolve(opts.ruleFile ?? 'rules/default.yaml');
  const run = await runAlerting(day, rules, say);
  const { tally, ...score } = scoreDay(day.incidents, run);
  const results: Record<string, number> = {
    raw_signals: day.signals.length,
    raw_signals_univariate: day.signals.filter((s) => s.explanation.component !== 'iforest').length,
    ...score,
  };
  console.log(
    `day (seed ${seed}): ${score.incidents} incidents, ${day.signals.length} raw signals, ${score.alerts_fired} alerts fired, ${score.notifications_sent} notifications ` +
      `(+${score.resolved_notifications} resolved): noise_reduction ${score.noise_reduction.toFixed(3)}, incidents_missed ${score.incidents_missed}, ` +
      `false_positive_rate ${score.false_positive_rate.toFixed(3)} (${tally.falsePositives}), median_time_to_notify_s ${score.median_time_to_notify_s.toFixed(0)}`,
  );
  if (opts.explain) explainDay(day.incidents, run, day.from, (line) => console.log(line));
  if (opts.withoutCatalogueToo) {
    // The same day without the service catalogue (no `services:`): what the incident stage does with only what it learns.
    const bare = { ...day.config, services: [], storage: { ...day.config.storage, dir: mkdtempSync(join(tmpdir(), 'vigil-bench-alerts-bare-')) } };
    const bareScore = scoreDay(day.incidents, await runAlerting({ ...day, config: bare }, rules, say));
    rmSync(bare.storage.dir, { recursive: true, force: true });
    Object.assign(results, {
      notifications_sent_without_catalogue: bareScore.notifications_sent,
      noise_reduction_without_catalogue: bareScore.noise_reduction,
      incidents_missed_without_catalogue: bareScore.incidents_missed,
      false_positive_rate_without_catalogue: bareScore.false_positive_rate,
    });
    console.log(
      `day (seed ${seed}) without the service catalogue: ${bareScore.notifications_sent} notifications: noise_reduction ${bareScore.noise_reduction.toFixed(3)}, ` +
        `incidents_missed ${bareScore.incidents_missed}, false_positive_rate ${bareScore.false_positive_rate.toFixed(3)}`,
    );
  }
  day.store.close();
  rmSync(day.config.storage.dir, { recursive: true, force: true });
  Object.assign(results, { series: day.series, samples: day.samples, simulation_wall_s: simulatedS, total_wall_s: (performance.now() - t0) / 1000 });
  return { results, tally };
}
