import type { Worker } from 'node:worker_threads';
import { startStoreThread } from './store-thread.js';

/** SQLite's answer to a checkpoint: frames in its WAL, and how many of them are now in the database file. */
interface CheckpointDone {
  busy: number;
  log: number;
  checkpointed: number;
}

/**
 * Runs SQLite's WAL checkpoints on a thread of its own. SQLite otherwise checkpoints
 * inside a commit once its WAL passes 1,000 pages: the committing thread (here the
 * ingest thread, at the end of a checkpoint slice) copies those pages into the database
 * file and syncs it, holding up ingestion and the answers to requests waiting behind it.
 * The store asks after each commit; asks while one runs fold into one more run after
 * it. Nothing here changes what is durable: a commit is durable in SQLite's WAL already.
 */
export class SqliteCheckpointer {
  private readonly worker: Worker;
  private running = false;
  private again = false;
  private failed = false;
  private closed = false;
  /** Checkpoints run, and WAL frames copied into the database file. */
  runs = 0;
  framesCheckpointed = 0;
  /** The thread's OS thread id, once it has said (undefined without Linux's /proc). */
  threadId: number | undefined;

  constructor(path: string, durable: boolean, private readonly onFailure: (e: Error) => void) {
    this.worker = startStoreThread<CheckpointDone>('./sqlite-checkpoint-thread.js', 'SQLite checkpoint', { path, durable }, {
      answer: (m) => this.done(m),
      threadId: (tid) => (this.threadId = tid),
      fail: (e) => this.fail(e),
      closed: () => this.closed,
    });
  }

  /** Asks for a checkpoint of everything committed so far. */
  request(): void {
    if (this.failed || this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.worker.postMessage(0);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.worker.terminate();
  }

  private done(m: CheckpointDone): void {
    this.running = false;
    this.runs++;
    this.framesCheckpointed += m.checkpointed;
    if (this.again) {
      this.again = false;
      this.request();
    }
  }

  private fail(e: Error): void {
    if (this.failed || this.closed) return;
    this.failed = true;
    this.onFailure(e);
  }
}
