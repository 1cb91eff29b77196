import type { Forecaster } from './types.js';
import { naive2, seasonalNaive } from './naive.js';
import { EtsForecaster } from './ets.js';
import { onLogScale } from './log-scale.js';
import { autoForecast } from './auto.js';
import { DecomposableForecaster } from './decomposable.js';
import { AutoregressionForecaster } from './autoregression.js';
import { MstlForecaster } from './mstl.js';

/** Every forecaster by name, for the CLI and benchmarks (`auto` is the default). */
export const forecasters: Record<string, Forecaster> = {
  auto: { name: 'auto', forecast: autoForecast },
  snaive: seasonalNaive,
  naive2,
  ets: new EtsForecaster(),
  'log-ets': onLogScale(new EtsForecaster({ seasons: ['N', 'A'] })),
  decomposable: new DecomposableForecaster(),
  'log-decomposable': onLogScale(new DecomposableForecaster()),
  ar: new AutoregressionForecaster(),
  'log-ar': onLogScale(new AutoregressionForecaster()),
  mstl: new MstlForecaster(),
  'log-mstl': onLogScale(new MstlForecaster()),
};
