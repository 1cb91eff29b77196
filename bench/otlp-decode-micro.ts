import { performance } from 'node:perf_hooks';
import { FrozenLabels } from '../src/ingest/frozen-labels.js';
import { DEFAULT_INGEST_LIMITS } from '../src/ingest/limits.js';
import { DeltaAccumulator, decodeOtlpProtobuf, translateOtlp } from '../src/ingest/otlp/translate.js';
import { OtlpWireDecoder } from '../src/ingest/otlp/wire-decoder.js';
import { batchFromWrites } from '../src/store/sample-batch.js';
import { otlpPayload } from './ingest-payloads.js';
import { SeriesGen } from './series-gen.js';

/**
 * In-process micro-benchmark of OTLP protobuf decoding alone (no HTTP, no store):
 * the bench:ingest payload of 2,000 samples, decoded and translated into a batch
 * `ROUNDS` times by protobufjs + translateOtlp and by the wire decoder, values and
 * timestamps rewritten each round as a sender's would be. A few seconds, one core.
 *
 *   node dist/bench/otlp-decode-micro.js [rounds]
 */
const ROUNDS = Number(process.argv[2] ?? 300);
const gen = new SeriesGen(10_000, [], 11);
const payload = otlpPayload(gen, 0, 2_000);
const limits = DEFAULT_INGEST_LIMITS;

function run(name: string, decode: (body: Uint8Array, now: number) => number): void {
  let t = 1_700_000_000_000;
  const times: number[] = [];
  let samples = 0;
  for (let i = 0; i < ROUNDS + 50; i++) {
    payload.patch((t += 15_000), gen);
    const start = performance.now();
    samples = decode(payload.body, t);
    if (i >= 50) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  console.log(`${name}: ${samples} samples/request, mean ${mean.toFixed(3)} ms, p50 ${p(0.5).toFixed(3)} ms, p99 ${p(0.99).toFixed(3)} ms, ${Math.round((samples / mean) * 1000).toLocaleString('en')} samples/s`);
}

const oldAcc = new DeltaAccumulator();
const oldFrozen = new FrozenLabels();
run('protobufjs + translateOtlp + batchFromWrites', (body, now) => {
  const tr = translateOtlp(decodeOtlpProtobuf(body), limits, oldAcc, now, oldFrozen);
  return batchFromWrites(tr.writes).timestamps.length;
});
const wire = new OtlpWireDecoder(limits, new DeltaAccumulator(), new FrozenLabels());
run('wire decoder', (body, now) => wire.decode(body, now).batch.timestamps.length);
