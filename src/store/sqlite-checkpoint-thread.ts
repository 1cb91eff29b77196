import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { currentThreadId } from '../core/thread-cpu.js';

/**
 * The store's SQLite checkpoint thread: on each request, copies the pages SQLite's
 * write-ahead log holds back into the database file (a PASSIVE checkpoint: it never
 * waits for the ingest thread's writes, and stops at what was committed when it began)
 * and syncs the file, on its own connection. Answers with SQLite's counts.
 */
const { path, durable } = workerData as { path: string; durable: boolean };
const db = new Database(path);
// NORMAL syncs the WAL before a checkpoint and the database file after it; OFF is the store's `fsync: never`.
db.pragma(`synchronous = ${durable ? 'NORMAL' : 'OFF'}`);

parentPort!.postMessage({ tid: currentThreadId() });

parentPort!.on('message', () => {
  const [r] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
  parentPort!.postMessage({ busy: r?.busy ?? 0, log: r?.log ?? 0, checkpointed: r?.checkpointed ?? 0 });
});
