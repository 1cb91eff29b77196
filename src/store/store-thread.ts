import { Worker } from 'node:worker_threads';

/** What a store thread's owner handles: its answers, its OS thread id (its first message), and its end. */
export interface StoreThreadEvents<M> {
  answer(m: M): void;
  threadId(tid: number | undefined): void;
  /** The thread failed or exited while its owner had not closed it. */
  fail(e: Error): void;
  closed(): boolean;
}

/**
 * Starts one of the store's helper threads (`file`, beside this module), which first posts
 * `{ tid }` and then answers the owner's messages. It does not keep the process alive.
 */
export function startStoreThread<M>(file: string, name: string, workerData: unknown, on: StoreThreadEvents<M>): Worker {
  const worker = new Worker(new URL(file, import.meta.url), { workerData });
  worker.unref();
  worker.on('message', (m: M | { tid: number | undefined }) => {
    if (m !== null && typeof m === 'object' && 'tid' in m) on.threadId(m.tid);
    else on.answer(m as M);
  });
  worker.on('error', (e: Error) => on.fail(e));
  worker.on('exit', (code: number) => {
    if (!on.closed()) on.fail(new Error(`${name} thread exited with code ${code}`));
  });
  return worker;
}
