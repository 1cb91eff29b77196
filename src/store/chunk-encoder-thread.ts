import { parentPort, workerData } from 'node:worker_threads';
import { currentThreadId } from '../core/thread-cpu.js';
import { encodeChunk } from './chunk-codec.js';
import { type EncodeJobs, type EncodedChunks, batchViews } from './chunk-encoder.js';

/**
 * The store's chunk encoder thread: encodes the closed chunks the ingest thread copies
 * out of its heads (a batch per message) and hands back their bytes with the batch's
 * buffer, which the store reuses. Stateless: every message is encoded on its own.
 */
const chunkSamples = (workerData as { chunkSamples: number }).chunkSamples;

// First, the OS thread's id: Vigil's per-thread CPU metric names it.
parentPort!.postMessage({ tid: currentThreadId() });

parentPort!.on('message', (m: EncodeJobs) => {
  const { buf, chunks, capacity } = m;
  const { ts, vs } = batchViews(buf, capacity, chunkSamples);
  const parts: Uint8Array[] = [];
  const ends = new Uint32Array(chunks);
  let total = 0;
  for (let j = 0; j < chunks; j++) {
    const from = j * chunkSamples;
    const bytes = encodeChunk(ts, vs, from, from + chunkSamples);
    parts.push(bytes);
    total += bytes.length;
    ends[j] = total;
  }
  const bytes = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  const out: EncodedChunks = { buf, bytes, ends };
  parentPort!.postMessage(out, [buf, bytes.buffer, ends.buffer]);
});
