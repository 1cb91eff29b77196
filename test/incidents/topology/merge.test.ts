import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTopology, LiveTopology, type DeclaredService } from '../../../src/incidents/topology/topology.js';
import { discoverFromLabels } from '../../../src/incidents/topology/discover.js';
import { ServiceGraph } from '../../../src/incidents/topology/service-graph.js';

const declared: DeclaredService[] = [
  { name: 'orders-db', type: 'database', criticality: 'critical', dependsOn: [], runbooks: ['https://runbooks.example/orders-db'] },
  { name: 'checkout', type: 'application', criticality: 'high', dependsOn: [{ service: 'orders-db', weight: 0.9 }] },
];

test('declared beats discovered beats learned, and a learned edge never reverses a declared one', () => {
  const g = buildTopology({
    declared,
    discovered: {
      services: [{ name: 'orders-db', type: 'unknown', criticality: 'medium' }, { name: 'cart', type: 'api', criticality: 'medium' }],
      edges: [
        { from: 'checkout', to: 'orders-db', weight: 1, source: 'discovered', confidence: 0.7 },
        { from: 'cart', to: 'orders-db', weight: 1, source: 'discovered', confidence: 0.8 },
      ],
    },
    learned: [
      { from: 'orders-db', to: 'checkout', weight: 0.9, source: 'learned', confidence: 0.9 },
      { from: 'cart', to: 'orders-db', weight: 0.6, source: 'learned', confidence: 0.6 },
      { from: 'cart', to: 'checkout', weight: 0.7, source: 'learned', confidence: 0.7 },
    ],
  });
  assert.equal(g.service('orders-db')!.type, 'database');
  assert.deepEqual(g.service('orders-db')!.runbooks, ['https://runbooks.example/orders-db']);
  const edge = (from: string, to: string) => g.edges().find((e) => e.from === from && e.to === to);
  assert.deepEqual(edge('checkout', 'orders-db'), { from: 'checkout', to: 'orders-db', weight: 0.9, source: 'declared', confidence: 1 });
  assert.equal(edge('orders-db', 'checkout'), undefined, 'learned reverse of a declared edge is dropped');
  assert.equal(edge('cart', 'orders-db')!.source, 'discovered');
  assert.deepEqual(edge('cart', 'checkout'), { from: 'cart', to: 'checkout', weight: 0.7, source: 'learned', confidence: 0.7 });
});

test('a declared edge replaces a weaker one added before it', () => {
  const g = new ServiceGraph();
  g.addEdge({ from: 'a', to: 'b', weight: 0.5, source: 'learned', confidence: 0.6 });
  g.addEdge({ from: 'a', to: 'b', weight: 1, source: 'declared', confidence: 1 });
  g.addEdge({ from: 'a', to: 'b', weight: 0.2, source: 'discovered', confidence: 0.9 });
  assert.deepEqual(g.dependencies('a'), [{ from: 'a', to: 'b', weight: 1, source: 'declared', confidence: 1 }]);
  assert.deepEqual(g.dependents('b').map((e) => e.from), ['a']);
  assert.equal(g.hops('b', 'a', 1), 1);
  assert.equal(g.hops('a', 'c', 3), Infinity);
});

test('labels reveal services, their types and their calls', () => {
  const found = discoverFromLabels([
    { __name__: 'http_requests_total', job: 'checkout', instance: 'h1:9090' },
    { __name__: 'pg_up', job: 'node', service: 'orders-postgres' },
    { __name__: 'http_client_duration_seconds', 'service.name': 'cart', 'peer.service': 'pricing' },
    { __name__: 'istio_requests_total', source_workload: 'web', destination_workload: 'cart' },
    { __name__: 'db_client_connections', app_kubernetes_io_name: 'inventory', server_address: 'inventory-mysql', db_system: 'mysql' },
    { __name__: 'node_cpu_seconds_total', job: 'node', instance: 'h1:9100' },
  ]);
  const type = (n: string) => found.services.find((s) => s.name === n)?.type;
  assert.equal(type('checkout'), 'unknown');
  assert.equal(type('orders-postgres'), 'database');
  assert.equal(type('inventory-mysql'), 'database');
  assert.equal(type('node'), undefined, 'exporter jobs are not services');
  const calls = found.edges.map((e) => `${e.from}->${e.to}`).sort();
  assert.deepEqual(calls, ['cart->pricing', 'inventory->inventory-mysql', 'web->cart']);
  assert.ok(found.edges.every((e) => e.source === 'discovered' && e.confidence > 0 && e.confidence <= 1));
});

test('the live topology merges all three sources and rebuilds when asked again later', () => {
  const live = new LiveTopology(declared, { rebuildEveryMs: 1000, learnOptions: { minSupport: 3 } });
  assert.deepEqual(live.graph(0).services().map((s) => s.name).sort(), ['checkout', 'orders-db']);
  // cache-x anomalies are followed by checkout's, four times, an hour apart.
  for (let k = 0; k < 4; k++) {
    live.observeAnomaly({ service: 'cache-x', __name__: 'redis_evictions' }, k * 3_600_000);
    live.observeAnomaly({ service: 'checkout', __name__: 'latency' }, k * 3_600_000 + 60_000);
  }
  assert.equal(live.graph(500).has('cache-x'), false, 'not rebuilt within rebuildEvery');
  const g = live.graph(5000);
  assert.equal(g.service('cache-x')!.type, 'cache');
  const learned = g.edges().find((e) => e.from === 'checkout' && e.to === 'cache-x')!;
  assert.equal(learned.source, 'learned');
  assert.ok(learned.confidence >= 0.5 && learned.confidence <= 1);
});
