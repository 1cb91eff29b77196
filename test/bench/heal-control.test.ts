import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FleetSimulator, type IncidentSpec } from '../../src/simulate/index.js';
import { FleetControl } from '../../bench/heal-control.js';

// The demo fleet: storefront-web (host-01/02) -> checkout-api (03/04) -> orders-db (05/06), ...
const T0 = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;
const AT = T0 + 34 * HOUR;

async function withControl(incidents: IncidentSpec[], now: () => number, run: (base: string, control: FleetControl, sim: FleetSimulator) => Promise<void>): Promise<void> {
  const sim = new FleetSimulator({ seed: 11, incidents });
  const control = new FleetControl(sim, now, 'vigil');
  const base = await control.start();
  try {
    await run(base, control, sim);
  } finally {
    await control.close();
  }
}

const post = (url: string, body?: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });

test('the control API applies a host restart at the simulated time, records the call and the ground-truth result, and answers without it', async () => {
  const leak: IncidentSpec = { kind: 'memory_leak', service: 'checkout-api', host: 'host-04', startsAt: AT, durationMs: 3 * HOUR, id: 'leak' };
  const at = AT + HOUR;
  await withControl([leak], () => at, async (base, control, sim) => {
    const res = await post(`${base}/hosts/host-04/restart`);
    assert.equal(res.status, 200);
    const answer = (await res.json()) as Record<string, unknown>;
    assert.equal(answer.status, 'done');
    assert.equal(answer.host, 'host-04');
    assert.equal(answer.service, 'checkout-api');
    assert.equal('effective' in answer, false, 'the answer never says whether it helped');
    assert.equal(control.calls.length, 1);
    const call = control.calls[0]!;
    assert.equal(call.at, at);
    assert.equal(call.method, 'POST');
    assert.equal(call.path, '/hosts/host-04/restart');
    assert.equal(call.action, 'restart');
    assert.equal(call.host, 'host-04');
    assert.equal(call.result?.effective, true);
    assert.deepEqual(call.result?.incidents, ['leak']);
    assert.equal(sim.faultEnd('leak'), at);
    assert.equal(sim.groundTruth(AT + 4 * HOUR)[0]!.remediatedBy, 'vigil');
    assert.equal(control.inFlight, 0);
  });
});

test('the control API records calls that fix nothing, scales by factor, and rejects unknown targets and bad bodies', async () => {
  const at = AT;
  await withControl([], () => at, async (base, control, sim) => {
    const before = sim.replicas('checkout-api');
    let res = await post(`${base}/services/checkout-api/restart`);
    assert.equal(res.status, 200);
    assert.equal(control.calls.at(-1)!.result?.effective, false, 'nothing wrong: not effective');
    res = await post(`${base}/services/checkout-api/scale`, { factor: '2' });
    assert.equal(res.status, 200);
    const scaled = (await res.json()) as { previousReplicas: number; replicas: number };
    assert.equal(scaled.previousReplicas, before);
    assert.equal(scaled.replicas, sim.replicas('checkout-api'));
    assert.ok(scaled.replicas > before);
    res = await post(`${base}/services/checkout-api/scale`, { factor: 2, delta: 1 });
    assert.equal(res.status, 400);
    res = await post(`${base}/hosts/host-99/restart`);
    assert.equal(res.status, 404);
    res = await post(`${base}/services/nope/rollback`);
    assert.equal(res.status, 404);
    res = await fetch(`${base}/services/checkout-api`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { replicas: number }).replicas, sim.replicas('checkout-api'));
    assert.deepEqual(
      control.calls.map((c) => c.status),
      [200, 200, 400, 404, 404, 200],
    );
    assert.equal(control.calls.filter((c) => c.result !== undefined).length, 2, 'only applied hooks carry a result');
  });
});
