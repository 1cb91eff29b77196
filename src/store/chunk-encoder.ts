import type { Worker } from 'node:worker_threads';
import { FrontQueue } from './front-queue.js';
import { startStoreThread } from './store-thread.js';
import type { HeadSeries } from './head.js';

/** A batch of closed chunks for the encoder thread: `chunks` chunks' times in buf's first half, their values in its second (room for `capacity`). */
export interface EncodeJobs {
  buf: ArrayBuffer;
  chunks: number;
  capacity: number;
}

/** A batch buffer's two halves: room for `capacity` chunks' times, then as many chunks' values. */
export function batchViews(buf: ArrayBuffer, capacity: number, chunkSamples: number): { ts: Float64Array<ArrayBuffer>; vs: Float64Array<ArrayBuffer> } {
  const n = capacity * chunkSamples;
  return { ts: new Float64Array(buf, 0, n), vs: new Float64Array(buf, n * 8, n) };
}

/** The encoded batch: chunk j is bytes[ends[j - 1], ends[j]); `buf` comes back for reuse. */
export interface EncodedChunks {
  buf: ArrayBuffer;
  bytes: Uint8Array;
  ends: Uint32Array;
}

/** Chunks a message carries at most (64 x 120 samples x 16 bytes: 123 KB). */
const BATCH_CHUNKS = 64;
/** A partial batch waits at most this long for more chunks. */
const FLUSH_MS = 20;
/**
 * Chunks in flight at most (8,192 x 120 samples: 1 M samples, 16 MB copied). Past it
 * the store encodes on its own thread again: when the machine cannot keep up, the
 * ingest thread slows down rather than the copies pile up.
 */
const MAX_IN_FLIGHT = 8192;

/** A chunk sent for encoding: the series, its head's epoch then and the chunk's first time (to check it still starts at encodedTo). */
interface Job {
  s: HeadSeries;
  epoch: number;
  firstT: number;
}

/**
 * Encodes the heads' closed chunks on a thread of its own, ahead of the checkpoint that
 * inserts them, so that the ingest thread only copies each full chunk (16 bytes a
 * sample) instead of encoding it (the largest part of its work after decoding and the
 * append itself). Results arrive as events and go to the series' encoded-ahead list
 * (HeadSeries.acceptAhead) unless the head changed meanwhile; a chunk whose result is
 * not there at the checkpoint is encoded by the checkpoint as before. Nothing here is
 * durable: the WAL keeps every sample until its chunk is in SQLite.
 */
export class ChunkEncoder {
  private readonly worker: Worker;
  private readonly free: ArrayBuffer[] = [];
  private buf: ArrayBuffer | undefined;
  private ts = new Float64Array(0);
  private vs = new Float64Array(0);
  /** Chunks in the batch being filled. */
  private n = 0;
  /** Chunks sent and being filled, oldest first, until answered. */
  private readonly jobs = new FrontQueue<Job>();
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private failed = false;
  private closed = false;
  /** Chunks encoded by the thread and accepted. */
  accepted = 0;
  /** The thread's OS thread id, once it has said (undefined without Linux's /proc). */
  threadId: number | undefined;

  constructor(
    private readonly chunkSamples: number,
    private readonly onFailure: (e: Error) => void,
  ) {
    this.worker = startStoreThread<EncodedChunks>('./chunk-encoder-thread.js', 'chunk encoder', { chunkSamples }, {
      answer: (m) => this.receive(m),
      threadId: (tid) => (this.threadId = tid),
      fail: (e) => this.fail(e),
      closed: () => this.closed,
    });
  }

  /** Takes chunks: not failed, closed, or too far behind. */
  get open(): boolean {
    return !this.failed && !this.closed && this.inFlight < MAX_IN_FLIGHT;
  }

  /** Copies every closed chunk of `s` past its pendingTo into the batch (sent when full, or within FLUSH_MS). */
  submit(s: HeadSeries): void {
    const C = this.chunkSamples;
    while (s.count - s.pendingTo >= C) {
      if (this.buf === undefined) this.take();
      const from = s.pendingTo;
      const o = this.n * C;
      s.copyOut(from, from + C, this.ts, this.vs, o);
      this.jobs.push({ s, epoch: s.aheadEpoch, firstT: this.ts[o]! });
      s.pendingTo = from + C;
      this.inFlight++;
      if (++this.n === BATCH_CHUNKS) this.post();
    }
    if (this.n > 0 && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (this.n > 0 && !this.closed) this.post();
      }, FLUSH_MS);
      this.timer.unref();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.jobs.takeAll();
    void this.worker.terminate();
  }

  private take(): void {
    const buf = this.free.pop() ?? new ArrayBuffer(2 * BATCH_CHUNKS * this.chunkSamples * 8);
    ({ ts: this.ts, vs: this.vs } = batchViews(buf, BATCH_CHUNKS, this.chunkSamples));
    this.buf = buf;
  }

  private post(): void {
    const m: EncodeJobs = { buf: this.buf!, chunks: this.n, capacity: BATCH_CHUNKS };
    this.worker.postMessage(m, [m.buf]);
    this.buf = undefined;
    this.n = 0;
  }

  private receive(m: EncodedChunks): void {
    this.free.push(m.buf);
    if (this.closed || this.failed) return;
    const C = this.chunkSamples;
    let start = 0;
    for (let j = 0; j < m.ends.length; j++) {
      const job = this.jobs.shift();
      const end = m.ends[j]!;
      if (job.s.acceptAhead(job.epoch, job.firstT, m.bytes.subarray(start, end), C)) this.accepted++;
      start = end;
    }
    this.inFlight -= m.ends.length;
  }

  /** The thread is gone: its chunks go back to the checkpoint (or to encoding on the ingest thread). */
  private fail(e: Error): void {
    if (this.failed || this.closed) return;
    this.failed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const job of this.jobs.takeAll()) job.s.abandonPending(job.epoch);
    this.buf = undefined;
    this.n = 0;
    this.onFailure(e);
  }
}
