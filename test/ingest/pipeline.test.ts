import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { IngestPipeline } from '../../src/ingest/pipeline.js';
import { batchSamples } from '../../src/store/sample-batch.js';
import { SelfMetrics } from '../../src/core/self-metrics.js';
import { tempDir } from '../helpers/vigil-process.js';

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
