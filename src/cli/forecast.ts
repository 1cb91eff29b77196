import type { Command } from 'commander';
import { runForecastCsv, type ForecastCsvOptions } from './forecast-csv.js';
import { addSeriesOptions, isSeriesArgument, runForecastSeries, type ForecastSeriesOptions } from './forecast-series.js';
import { handled } from './api-client.js';

/**
 * `vigil forecast`: a CSV file argument (ending in .csv) forecasts offline
 * (forecast-csv.ts); anything else is a series selector answered by a running
 * Vigil (forecast-series.ts).
 */
export function registerForecast(program: Command): void {
  const cmd = program
    .command('forecast')
    .description('forecast the series of a CSV file offline (FILE.csv), or a stored series from a running Vigil (SERIES)')
    .argument('<file-or-series>', 'a CSV (M4 wide layout id,V1,V2,... or long layout id,timestamp,value), or a series selector')
    .option('--horizon <n>', 'CSV: samples ahead (default 48); series: a duration (default 1h)')
    .option('--season <m>', 'CSV: seasonal period in samples (24 for hourly data with a daily cycle; default 1 = none)')
    .option('--level <p>', 'CSV: interval coverage (default 0.95)')
    .option('--method <name>', 'CSV: forecaster (default auto; also snaive, naive2, ets, ar, mstl, decomposable, log-...)')
    .option('-o, --out <file>', 'CSV: write forecasts here (wide input: id,F1..FN plus -lower.csv and -upper.csv; long input: id,timestamp,mean,lower,upper,model); default: long layout on stdout');
  addSeriesOptions(cmd).action(async (arg: string, opts: ForecastCsvOptions & ForecastSeriesOptions) => {
    // A server that refuses or cannot be reached is a message and exit 1, not a stack trace.
    if (isSeriesArgument(arg)) await handled(runForecastSeries)(arg, opts);
    else runForecastCsv(arg, opts);
  });
}
