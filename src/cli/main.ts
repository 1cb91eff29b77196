import { Command, CommanderError } from 'commander';
import { registerServe } from './serve.js';
import { registerDemo } from './demo.js';
import { registerConfig } from './config-check.js';
import { registerDetect } from './detect.js';
import { registerBackfill } from './backfill.js';
import { registerNotify } from './notify.js';
import { registerAlerts } from './alerts.js';
import { registerIncidents } from './incidents.js';
import { registerSilence } from './silence.js';
import { registerRules } from './rules.js';
import { registerForecast } from './forecast.js';
import { registerRcaEval } from './rca-eval.js';
import { registerRemediation } from './remediation.js';
import { EXIT_USAGE, UsageError, reportFatal } from './exit.js';
import { tuneEngine } from '../core/engine-tuning.js';

// Before any per-sample path runs hot (every subcommand, worker threads included).
try {
  tuneEngine();
} catch (e) {
  reportFatal(new UsageError((e as Error).message));
}

/**
 * `vigil` — one binary, subcommands per job. Each subcommand lives in its own
 * file and registers itself here.
 */
const program = new Command('vigil')
  .description('Vigil: watch metrics and pipelines, learn normal, tell a human only what matters.')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerServe(program);
registerDemo(program);
registerConfig(program);
registerDetect(program);
registerBackfill(program);
registerNotify(program);
registerAlerts(program);
registerIncidents(program);
registerSilence(program);
registerRules(program);
registerForecast(program);
registerRcaEval(program);
registerRemediation(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // --help and --version end here with code 0; usage errors were already printed.
    process.exit(e.exitCode === 0 ? 0 : EXIT_USAGE);
  }
  reportFatal(e);
}
