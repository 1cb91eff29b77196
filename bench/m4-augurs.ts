// Grafana's augurs (npm @bsull/augurs, Rust compiled to WebAssembly) as a side-by-side
// row of bench:m4: MSTL with an AutoETS trend model. A devDependency, loaded only here;
// null when it is not installed or does not load.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Forecaster } from '../src/forecast/types.js';

interface AugursForecast { point: number[]; intervals?: { lower: number[]; upper: number[] } }
interface AugursMstl { fit(y: Float64Array): void; predict(horizon: number, level?: number): AugursForecast; free?(): void }
interface AugursModule { initSync(arg: { module: Buffer }): unknown; MSTL: { ets(periods: number[]): AugursMstl } }

export async function loadAugurs(periods: number[]): Promise<{ forecaster: Forecaster; version: string } | { error: string }> {
  try {
    const specifier = '@bsull/augurs/mstl';
    const mod = (await import(specifier)) as AugursModule;
    const js = fileURLToPath(import.meta.resolve(specifier));
    mod.initSync({ module: readFileSync(js.replace(/\.js$/, '_bg.wasm')) });
    const pkg = JSON.parse(readFileSync(js.replace(/mstl\.js$/, 'package.json'), 'utf8')) as { version: string };
    const forecaster: Forecaster = {
      name: 'augurs-mstl-ets',
      forecast(y, horizon, opts) {
        const level = opts.level ?? 0.95;
        const model = mod.MSTL.ets(periods);
        model.fit(y);
        const f = model.predict(horizon, level);
        model.free?.();
        const mean = Float64Array.from(f.point);
        return { mean, lower: Float64Array.from(f.intervals?.lower ?? f.point), upper: Float64Array.from(f.intervals?.upper ?? f.point), level, model: 'augurs MSTL+ETS' };
      },
    };
    return { forecaster, version: pkg.version };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
