import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FleetSimulator, generateTopology, dependentsOf, type Topology } from '../../src/simulate/index.js';

/** Every edge points from a lower tier to a higher one: no cycles, load flows one way. */
function assertLayered(topo: Topology): void {
  const tier = new Map(topo.services.map((s) => [s.name, s.tier]));
  for (const e of topo.edges) assert.ok(tier.get(e.from)! < tier.get(e.to)!, `${e.from} -> ${e.to} goes up a tier`);
}

test('the demo fleet: six services, one of each kind, two hosts each', () => {
  const topo = generateTopology({ seed: 1 });
  assert.deepEqual(
    topo.services.map((s) => [s.name, s.type]),
    [
      ['storefront-web', 'web'],
      ['checkout-api', 'api'],
      ['orders-db', 'database'],
      ['session-cache', 'cache'],
      ['events-queue', 'queue'],
      ['billing-etl', 'etl'],
    ],
  );
  assert.equal(topo.hosts.length, 12);
  assert.deepEqual(topo.services[0]!.hosts, ['host-01', 'host-02']);
  const has = (from: string, to: string) => topo.edges.some((e) => e.from === from && e.to === to);
  assert.ok(has('storefront-web', 'checkout-api'), 'web calls the API');
  assert.ok(has('checkout-api', 'orders-db'), 'the API owns a database');
  assert.ok(has('billing-etl', 'events-queue'), 'the ETL worker consumes the queue');
  assert.ok(has('billing-etl', 'orders-db'), 'and writes to the database');
  for (const s of topo.services.filter((x) => x.type !== 'web' && x.type !== 'etl')) {
    assert.ok(dependentsOf(topo, s.name).length > 0, `${s.name} has a caller`);
  }
  assertLayered(topo);
});

test('big fleets: every kind present, deep call chains, every service reachable', () => {
  for (const n of [10, 50, 300, 1000]) {
    const topo = generateTopology({ seed: 7, services: n });
    assert.equal(topo.services.length, n);
    assert.equal(new Set(topo.services.map((s) => s.name)).size, n, 'names are unique');
    assertLayered(topo);
    const types = new Set(topo.services.map((s) => s.type));
    for (const t of ['web', 'api', 'database', 'cache', 'queue', 'etl']) assert.ok(types.has(t as never), `${n} services include ${t}`);
    const entry = new Set(['lb', 'etl']);
    const called = new Set(topo.edges.map((e) => e.to));
    for (const s of topo.services) {
      if (entry.has(s.type) || (s.type === 'web' && !topo.services.some((x) => x.type === 'lb'))) continue;
      assert.ok(called.has(s.name), `${s.name} has a caller in a ${n}-service fleet`);
    }
    if (n >= 300) assert.ok(Math.max(...topo.services.map((s) => s.tier)) >= 5, 'several API tiers');
  }
});

test('hosts can be given as a total, spread over services', () => {
  const topo = generateTopology({ seed: 2, services: 6, hosts: 20 });
  assert.equal(topo.hosts.length, 20);
  assert.ok(topo.services.every((s) => s.hosts.length >= 1));
  assert.equal(topo.hosts[19]!.name, 'host-20');
  assert.throws(() => generateTopology({ services: 6, hosts: 3 }), /cannot run/);
});

test('a hand-written topology is accepted, and a cycle is refused', () => {
  const sim = new FleetSimulator({
    topology: {
      services: [
        { name: 'shop', type: 'web', hosts: ['web-a'] },
        { name: 'pg', type: 'database', hosts: ['db-a', 'db-b'] },
      ],
      edges: [{ from: 'shop', to: 'pg', weight: 2 }],
    },
    incidents: 'none',
  });
  assert.ok(sim.seriesIndex('db_queries_per_sec', 'db-b') >= 0);
  assert.equal(sim.topology().hosts.find((h) => h.name === 'db-a')!.memoryBytes, 64 * 1024 ** 3);
  assert.throws(
    () =>
      new FleetSimulator({
        topology: {
          services: [
            { name: 'a', type: 'api', hosts: ['h1'] },
            { name: 'b', type: 'api', hosts: ['h2'] },
          ],
          edges: [
            { from: 'a', to: 'b', weight: 1 },
            { from: 'b', to: 'a', weight: 1 },
          ],
        },
      }),
    /cycle/,
  );
});

test('series carry Prometheus-style names and the labels service, instance, job and type', () => {
  const sim = new FleetSimulator({ seed: 1 });
  const labels = sim.seriesList();
  const cpu = labels.find((l) => l.__name__ === 'node_cpu_utilization' && l.instance === 'host-05')!;
  assert.deepEqual(cpu, { __name__: 'node_cpu_utilization', instance: 'host-05', job: 'node', service: 'orders-db', type: 'database' });
  const lat = labels.find((l) => l.__name__ === 'db_query_latency_p95_seconds' && l.instance === 'host-05')!;
  assert.equal(lat.job, 'orders-db');
  const names = new Set(labels.map((l) => l.__name__));
  for (const n of ['node_memory_used_bytes', 'node_disk_used_bytes', 'node_network_receive_bytes_per_sec', 'node_disk_io_utilization',
    'http_requests_per_sec', 'http_request_latency_p95_seconds', 'http_errors_ratio', 'queue_depth', 'etl_rows_processed_per_sec', 'db_connections']) {
    assert.ok(names.has(n), n);
  }
  assert.equal(new Set(labels.map((l) => `${l.__name__}/${l.instance}`)).size, labels.length, 'label sets are unique');
});
