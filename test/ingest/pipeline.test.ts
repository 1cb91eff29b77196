import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { IngestPipeline } from '../../src/ingest/pipeline.js';
import { batchSamples } from '../../src/store/sample-batch.js';
import { SelfMetrics } from '../../src/core/self-metrics.js';
import { MetadataStore } from '../../src/store/metadata-store.js';
import { startVigil } from '../../src/app/vigil-app.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/api/logger.js';
import { tempDir } from '../helpers/vigil-process.js';
import { encodeWriteRequest, snappyCompress } from './remote-write-helpers.js';

test('the sample age window refuses samples too old or too far in the future, and keeps the rest', async () => {
  const store = openStore({ dir: join(tempDir(), 'data'), checkpointIntervalMs: 0 });
  const metrics = new SelfMetrics({ defaultMetrics: false });
  const now = Date.UTC(2026, 5, 1);
  const pipeline = new IngestPipeline(store, metrics, { maxSampleAgeMs: 3600_000, maxFutureSkewMs: 600_000 }, () => now);
  const seen: number[] = [];
  pipeline.onSamples((b) => seen.push(...Array.from(b.timestamps.subarray(0, batchSamples(b)))));
  const r = pipeline.write(
    [
      { labels: { __name__: 'm', host: 'a' }, timestamps: [now - 7200_000, now - 60_000, now, now + 3600_000], values: [1, 2, 3, 4] },
      { labels: { __name__: 'm', host: 'b' }, timestamps: [now - 1000], values: [5] },
    ],
    'json',
  );
  assert.equal(r.accepted, 3);
  assert.deepEqual(r.rejected, { too_old: 1, too_far_in_future: 1 });
  assert.deepEqual(seen, [now - 60_000, now, now - 1000], 'detectors see only what was stored');
  const text = await metrics.registry.metrics();
  assert.match(text, /vigil_rejected_samples_total\{reason="too_far_in_future"\} 1/);
  assert.match(text, /vigil_rejected_samples_total\{reason="too_old"\} 1/);
  store.close();
});

test('listeners get each batch with the store\'s ref of every series in it', () => {
  const store = openStore({ dir: join(tempDir(), 'data'), checkpointIntervalMs: 0 });
  const pipeline = new IngestPipeline(store, new SelfMetrics({ defaultMetrics: false }));
  const seen: number[][] = [];
  pipeline.onSamples((b, refs) => seen.push(Array.from(refs.subarray(0, b.size))));
  const a = { __name__: 'm', host: 'a' };
  const b = { __name__: 'm', host: 'b' };
  pipeline.write([{ labels: a, timestamps: [1000], values: [1] }, { labels: b, timestamps: [1000], values: [2] }], 'json');
  pipeline.write([{ labels: b, timestamps: [2000], values: [3] }, { labels: {}, timestamps: [2000], values: [4] }], 'json');
  assert.deepEqual(seen, [[store.ref(a), store.ref(b)], [store.ref(b), -1]]);
  store.close();
});

test('ingest routes wait at the admission gate of a busy stage; the server answers other requests meanwhile', async () => {
  const dir = tempDir();
  const yaml = `server:\n  listen: 127.0.0.1:0\n  logLevel: silent\nstorage:\n  dir: ${join(dir, 'data')}\ndetect:\n  enabled: false\n`;
  const app = await startVigil(parseConfig(yaml, 'test.yaml'), createLogger('silent'));
  try {
    // A stage that is busy until released.
    let release!: () => void;
    let busy: Promise<void> | undefined = new Promise<void>((r) => (release = r));
    app.pipeline.addGate(() => busy);
    const T = Date.now();
    const write = fetch(app.url + '/api/v1/samples', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ series: [{ labels: { __name__: 'held', host: 'a' }, samples: [[T, 1]] }] }),
    });
    const line = fetch(app.url + '/api/v2/write?precision=ms', { method: 'POST', body: `held_line,host=a value=2 ${T}` });
    const rw = fetch(app.url + '/api/v1/write', {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
      body: snappyCompress(encodeWriteRequest([{ labels: { __name__: 'held_rw', host: 'a' }, samples: [[T, 3]] }])),
    });
    let answered = false;
    void Promise.all([write, line, rw]).then(() => (answered = true));
    // The server is free: health, readiness and queries answer while the writes wait.
    assert.equal((await fetch(app.url + '/-/ready')).status, 200);
    const q = await (await fetch(app.url + '/api/v1/series?match[]={host="a"}')).json();
    assert.deepEqual((q as { data: unknown[] }).data, [], 'the held writes are not decoded or stored yet');
    assert.equal(answered, false, 'the writes are still waiting');
    busy = undefined;
    release();
    assert.equal((await write).status, 200);
    assert.equal((await line).status, 204);
    assert.equal((await rw).status, 204);
    const after = await (await fetch(app.url + '/api/v1/series?match[]={host="a"}')).json();
    const names = (after as { data: Array<{ __name__: string }> }).data.map((l) => l.__name__).sort();
    assert.deepEqual(names, ['held', 'held_line', 'held_rw']);
  } finally {
    await app.close();
  }
});

test('metadata the disk refuses is counted as an error, and invalid entries as invalid all the same', async () => {
  const store = openStore({ dir: join(tempDir(), 'data'), checkpointIntervalMs: 0 });
  const metrics = new SelfMetrics({ defaultMetrics: false });
  const pipeline = new IngestPipeline(store, metrics);
  const metadata = new MetadataStore({ db: join(tempDir(), 'metadata.db'), maxFamilies: 100 });
  pipeline.attachMetadata(metadata, 1024);
  const entries = [
    { family: 'http_requests', type: 'counter' as const, help: 'Requests.', unit: '' },
    { family: '0-not-a-name', type: 'gauge' as const, help: '', unit: '' },
  ];
  pipeline.writeMetadata(entries, 'remote_write');
  // The database goes away under it (as a disk that refuses writes would): the samples' path is not concerned.
  metadata.close();
  pipeline.writeMetadata([{ ...entries[0]!, family: 'http_errors' }, entries[1]!], 'remote_write');
  const text = await metrics.registry.metrics();
  const count = (result: string) => Number(new RegExp(`vigil_metadata_entries_total\\{protocol="remote_write",result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  assert.equal(count('new'), 1);
  assert.equal(count('error'), 1, 'the new family of the second call');
  assert.equal(count('invalid'), 2, 'the invalid entry of each call');
  store.close();
});
