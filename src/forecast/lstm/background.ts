import { Worker } from 'node:worker_threads';
import type { LstmModelData, LstmProgress, LstmTrainOptions } from './train.js';

/**
 * Trains an LSTM on a worker thread, so the service's event loop (ingest,
 * API) stays responsive however long training takes. Progress arrives after
 * every epoch; `cancel` stops the worker.
 */
export interface BackgroundTraining {
  readonly done: Promise<LstmModelData>;
  cancel(): Promise<void>;
}

export function trainInBackground(y: Float64Array, options: LstmTrainOptions, onProgress?: (p: LstmProgress) => void): BackgroundTraining {
  const worker = new Worker(new URL('./train-worker.js', import.meta.url), { workerData: { y, options } });
  let settled = false;
  const done = new Promise<LstmModelData>((resolve, reject) => {
    worker.on('message', (m: { type: 'progress'; progress: LstmProgress } | { type: 'done'; model: LstmModelData } | { type: 'error'; message: string }) => {
      if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'done') {
        settled = true;
        resolve(m.model);
        void worker.terminate();
      } else {
        settled = true;
        reject(new Error(m.message));
        void worker.terminate();
      }
    });
    worker.on('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`LSTM training stopped (worker exit code ${code})`));
    });
  });
  return {
    done,
    async cancel() {
      await worker.terminate();
    },
  };
}
