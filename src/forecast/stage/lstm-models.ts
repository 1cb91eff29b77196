import type { Labels } from '../../core/labels.js';
import type { SampleStore } from '../../store/types.js';
import type { LstmConfig } from '../../config/sections/forecast.js';
import { trainInBackground, type BackgroundTraining } from '../lstm/background.js';
import { LstmForecaster } from '../lstm/model.js';
import { LstmRegistry } from '../lstm/registry.js';
import { resample } from './grid.js';

/**
 * The LSTM models of the series listed in `forecast.lstm.series`: one model
 * per series, trained one at a time on a worker thread from the last
 * `window` of history, saved as a new version, and retrained every
 * `retrain`. Status (with the epoch in progress) is what the API shows.
 */
export interface LstmStatus {
  seriesId: string;
  labels: Labels;
  state: 'waiting' | 'training' | 'ready' | 'failed';
  epoch?: number;
  epochs?: number;
  version?: number;
  trainedAt?: number;
  validationMae?: number;
  naiveValidationMae?: number;
  error?: string;
}

export interface LstmModelsOptions {
  store: SampleStore;
  config: LstmConfig;
  dir: string;
  clock: () => number;
  logger?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

const MAX_SERIES = 50;

export class LstmModels {
  readonly registry: LstmRegistry;
  private readonly statuses = new Map<string, LstmStatus>();
  private readonly loaded = new Map<string, { version: number; forecaster: LstmForecaster }>();
  private current: BackgroundTraining | undefined;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private closed = false;

  constructor(private readonly o: LstmModelsOptions) {
    this.registry = new LstmRegistry(o.dir);
  }

  start(): void {
    if (this.o.config.series.length === 0 || this.timer) return;
    const tick = () => void this.trainDue();
    this.timer = setInterval(tick, Math.min(this.o.config.retrain, 600_000));
    this.timer.unref();
    setTimeout(tick, 0).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.current?.cancel();
  }

  status(): LstmStatus[] {
    return [...this.statuses.values()].map((s) => ({ ...s }));
  }

  /** The newest saved model of a series, with the grid step it was trained at. */
  forecasterFor(seriesId: string): { forecaster: LstmForecaster; stepMs: number; version: number } | undefined {
    const versions = this.registry.versions(seriesId);
    const newest = versions.at(-1);
    if (newest === undefined) return undefined;
    let m = this.loaded.get(seriesId);
    if (!m || m.version !== newest) {
      const saved = this.registry.load(seriesId, newest);
      if (!saved) return undefined;
      m = { version: saved.version, forecaster: new LstmForecaster(saved.model) };
      this.loaded.set(seriesId, m);
    }
    return { forecaster: m.forecaster, stepMs: m.forecaster.model.stepMs || this.o.config.step, version: m.version };
  }

  /** Trains, one after another, every configured series whose model is missing or older than `retrain`. */
  async trainDue(now = this.o.clock()): Promise<void> {
    if (this.busy || this.closed) return;
    this.busy = true;
    try {
      const c = this.o.config;
      const seen = new Set<string>();
      for (const sel of c.series) {
        for (const s of this.o.store.read(sel.matchers, now - c.window, now)) {
          if (seen.has(s.id) || seen.size >= MAX_SERIES) continue;
          seen.add(s.id);
          const saved = this.registry.load(s.id);
          const st: LstmStatus = this.statuses.get(s.id) ?? { seriesId: s.id, labels: s.labels, state: 'waiting' };
          if (saved) Object.assign(st, { state: 'ready', version: saved.version, trainedAt: saved.model.trainedAt, validationMae: saved.model.validationMae, naiveValidationMae: saved.model.naiveValidationMae });
          this.statuses.set(s.id, st);
          if (saved && now - saved.model.trainedAt < c.retrain) continue;
          const g = resample(s.timestamps, s.values, now - c.window, now, c.step);
          if (g.values.length < c.lookback + c.horizon + 8) {
            st.error = `not enough history yet (${g.values.length} points at ${c.step / 1000}s; needs ${c.lookback + c.horizon + 8})`;
            continue;
          }
          await this.trainOne(st, g.values);
          if (this.closed) return;
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async trainOne(st: LstmStatus, y: Float64Array): Promise<void> {
    const c = this.o.config;
    Object.assign(st, { state: 'training', epoch: 0, epochs: c.epochs, error: undefined });
    this.current = trainInBackground(y, { lookback: c.lookback, horizon: c.horizon, hidden: c.hidden, epochs: c.epochs, stepMs: c.step }, (p) => (st.epoch = p.epoch));
    try {
      const model = await this.current.done;
      const version = this.registry.save(st.seriesId, model);
      Object.assign(st, { state: 'ready', version, trainedAt: model.trainedAt, validationMae: model.validationMae, naiveValidationMae: model.naiveValidationMae });
      this.o.logger?.info({ series: st.seriesId, version, validationMae: model.validationMae, naiveValidationMae: model.naiveValidationMae }, 'LSTM model trained');
    } catch (e) {
      if (this.closed) return;
      Object.assign(st, { state: st.version ? 'ready' : 'failed', error: (e as Error).message });
      this.o.logger?.warn({ series: st.seriesId, err: (e as Error).message }, 'LSTM training failed');
    } finally {
      this.current = undefined;
    }
  }
}
