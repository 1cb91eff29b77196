/**
 * The forecasting contract shared by every model and by the stages that use
 * forecasts (capacity risk, predictive scaling, charts, the CLI).
 *
 * `y` is an equally spaced history, oldest first; NaN marks a gap.
 */
export interface ForecastOptions {
  /** Seasonal period in samples (24 for hourly data with a daily cycle); 1 = none. */
  season: number;
  /** Nominal coverage of the prediction interval, default 0.95. */
  level?: number;
}

export interface ForecastResult {
  /** Point forecast, `horizon` values following the last sample of `y`. */
  mean: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  /** The interval's nominal coverage. */
  level: number;
  /** Which model (or combination) produced it, for explanations. */
  model: string;
}

export interface Forecaster {
  readonly name: string;
  forecast(y: Float64Array, horizon: number, opts: ForecastOptions): ForecastResult;
}
