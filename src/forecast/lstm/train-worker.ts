import { parentPort, workerData } from 'node:worker_threads';
import { train, type LstmTrainOptions } from './train.js';

/** Worker thread body: trains on the series it was given and posts progress, then the model (or the error). */
const { y, options } = workerData as { y: Float64Array; options: LstmTrainOptions };
try {
  const it = train(y, options);
  for (;;) {
    const r = it.next();
    if (r.done) {
      const m = r.value;
      parentPort!.postMessage({ type: 'done', model: m }, [m.theta.buffer as ArrayBuffer]);
      break;
    }
    parentPort!.postMessage({ type: 'progress', progress: r.value });
  }
} catch (e) {
  parentPort!.postMessage({ type: 'error', message: (e as Error).message });
}
