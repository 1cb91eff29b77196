import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startVigil } from '../../src/app/vigil-app.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/api/logger.js';
import { tempDir } from '../helpers/vigil-process.js';

test('vigil serve with simulator.enabled feeds a simulated fleet in real time, scored by the detectors', { timeout: 30_000 }, async () => {
  const dir = tempDir();
  const yaml = `server:\n  listen: 127.0.0.1:0\n  logLevel: silent\nstorage:\n  dir: ${join(dir, 'data')}\nsimulator:\n  enabled: true\n  services: 3\n  hostsPerService: 1\n  interval: 1s\n`;
  const app = await startVigil(parseConfig(yaml, 'test.yaml'), createLogger('silent'));
  try {
    await new Promise((r) => setTimeout(r, 2500));
    const res = await fetch(`${app.url}/api/v1/series?match[]=${encodeURIComponent('{job="node"}')}`);
    const body = (await res.json()) as { data: Array<Record<string, string>> };
    assert.ok(body.data.length >= 3, `node series of 3 hosts, got ${body.data.length}`);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    const ingested = /^vigil_ingested_samples_total\{protocol="simulator"\} (\d+)/m.exec(metrics);
    assert.ok(ingested && Number(ingested[1]) > 0, 'samples counted under protocol="simulator"');
    const scored = /^vigil_scored_samples_total (\d+)/m.exec(metrics);
    assert.ok(scored && Number(scored[1]) >= Number(ingested![1]) / 2, 'the detectors scored them');
    // Which thread is busy: the ingest thread and the detection worker each have their CPU time.
    for (const thread of ['main', 'detect-0']) {
      const cpu = new RegExp(`^vigil_thread_cpu_seconds_total\\{thread="${thread}"\\} (\\S+)$`, 'm').exec(metrics);
      assert.ok(cpu && Number(cpu[1]) > 0, `CPU seconds of thread ${thread}`);
    }
  } finally {
    await app.close();
  }
});
