import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startVigil } from '../../src/app/vigil-app.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/api/logger.js';
import { tempDir } from '../helpers/vigil-process.js';

interface TopologyBody {
  data: {
    services: Array<{ name: string; type: string; runbooks: string[] }>;
    edges: Array<{ from: string; to: string; weight: number; source: string; confidence: number }>;
    counts: Record<string, number>;
  };
}

test('GET /api/v1/topology merges the declared catalogue with services and calls seen in labels', { timeout: 30_000 }, async () => {
  const dir = tempDir();
  const yaml = `
server: { listen: 127.0.0.1:0, logLevel: silent }
storage: { dir: ${join(dir, 'data')} }
detect: { enabled: false }
topology: { rebuildEvery: 1s }
services:
  - { name: orders-db, type: database, criticality: critical, runbooks: [https://runbooks.example.com/orders-db] }
  - { name: checkout, type: application, dependsOn: [{ service: orders-db, weight: 0.8 }] }
`;
  const app = await startVigil(parseConfig(yaml, 'vigil.yaml', {}), createLogger('silent'));
  try {
    const now = Date.now();
    const write = await fetch(`${app.url}/api/v1/samples`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        series: [
          { labels: { __name__: 'http_client_requests_per_sec', service: 'checkout', peer_service: 'payments-api' }, samples: [[now - 1000, 5]] },
          { labels: { __name__: 'redis_connected_clients', job: 'session-redis', instance: 'r1:9121' }, samples: [[now - 1000, 40]] },
        ],
      }),
    });
    assert.equal(write.status, 200);
    const get = async (query = '') => (await (await fetch(`${app.url}/api/v1/topology${query}`)).json()) as TopologyBody;
    // The merged graph is rebuilt at most every second (topology.rebuildEvery).
    let data = (await get()).data;
    for (let i = 0; i < 40 && !data.services.some((s) => s.name === 'payments-api'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      data = (await get()).data;
    }
    const byName = new Map(data.services.map((s) => [s.name, s]));
    assert.equal(byName.get('orders-db')!.type, 'database');
    assert.deepEqual(byName.get('orders-db')!.runbooks, ['https://runbooks.example.com/orders-db']);
    assert.equal(byName.get('session-redis')!.type, 'cache');
    assert.ok(byName.has('payments-api'));
    assert.deepEqual(data.edges.find((e) => e.to === 'orders-db'), { from: 'checkout', to: 'orders-db', weight: 0.8, source: 'declared', confidence: 1 });
    const discovered = data.edges.find((e) => e.to === 'payments-api')!;
    assert.equal(discovered.from, 'checkout');
    assert.equal(discovered.source, 'discovered');
    assert.equal(data.counts.declared, 1);

    assert.deepEqual((await get('?source=declared')).data.edges.map((e) => e.to), ['orders-db']);
    const bad = await fetch(`${app.url}/api/v1/topology?source=guessed`);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /source: expected one of declared, discovered, learned/);
  } finally {
    await app.close();
  }
});
