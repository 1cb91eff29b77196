import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { RecordingServer } from '../helpers/recording-server.js';
import { ManualClock, engineFrom, incident } from './fixtures.js';

const restartRunbook = (url: string, extra = '') => `
remediation:
  runbooks:
    - name: restart
      steps:
        - id: restart
          action: { type: http, method: POST, url: "${url}/services/{{ service }}/restart" }
${extra}
`;

test('a matching incident runs the runbook once its evidence has settled; the audit log records why', async () => {
  const control = await RecordingServer.start();
  const clock = new ManualClock(0);
  const h = engineFrom(
    `${restartRunbook(control.url)}
  rules:
    - name: restart-on-exhaustion
      dryRun: false
      trigger: { incident: { types: [resource_exhaustion], minSeverity: high, settle: 1m } }
      runbook: restart
`,
    { clock },
  );
  try {
    h.engine.observeIncident(incident({ id: 'inc-1', service: 'checkout' }));
    assert.equal(h.engine.executions().length, 0, 'waits for the incident to settle');
    await clock.advance(60_000);
    h.engine.tick();
    await h.engine.idle();
    const [ex] = h.engine.executions();
    assert.equal(ex!.state, 'succeeded');
    assert.deepEqual(control.requests.map((r) => `${r.method} ${r.path}`), ['POST /services/checkout/restart']);
    // Later updates of the same incident do not run it again.
    h.engine.observeIncident(incident({ id: 'inc-1', service: 'checkout' }));
    h.engine.tick();
    assert.equal(h.engine.executions().length, 1);
    const kinds = h.audit.list({ execution: ex!.id }).map((e) => e.kind);
    assert.deepEqual(kinds, ['matched', 'started', 'step', 'finished']);
    // An incident of another type, or too mild, does not match.
    h.engine.observeIncident(incident({ id: 'inc-2', service: 'cart', type: 'network' }));
    h.engine.observeIncident(incident({ id: 'inc-3', service: 'cart', severity: 'low' }));
    await clock.advance(120_000);
    h.engine.tick();
    assert.equal(h.engine.executions().length, 1);
  } finally {
    await h.close();
    await control.close();
  }
});

test('new rules are dry-run by default: the plan is logged, nothing is called', async () => {
  const control = await RecordingServer.start();
  const h = engineFrom(`${restartRunbook(control.url)}
  rules:
    - name: restart-on-exhaustion
      trigger: { incident: { settle: 0s } }
      runbook: restart
`);
  try {
    h.engine.observeIncident(incident({ id: 'inc-1', service: 'checkout' }));
    const [ex] = h.engine.executions();
    assert.equal(ex!.state, 'dry_run');
    assert.deepEqual(ex!.plan, [`restart: POST ${control.url}/services/checkout/restart`]);
    assert.equal(control.requests.length, 0);
    assert.equal(h.audit.list({ kind: 'dry_run' }).length, 1);
  } finally {
    await h.close();
    await control.close();
  }
});

test('verification failure triggers the rollback steps, with values the steps returned', async () => {
  const control = await RecordingServer.start();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-remediate-store-'));
  const store = openStore({ dir, checkpointIntervalMs: 0 });
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  // The error ratio stays high whatever is done.
  const write = (t: number) => store.append([{ labels: { __name__: 'http_error_ratio', service: 'checkout' }, timestamps: [t], values: [0.2] }]);
  const h = engineFrom(
    `${restartRunbook(control.url, `      verify: { query: 'http_error_ratio{service="{{ service }}"}', over: 1m, op: '<', value: 0.01, within: 2m, every: 30s }
      rollback:
        - id: undo
          action: { type: http, method: POST, url: "${control.url}/services/{{ service }}/rollback?after={{ steps.restart.ok }}" }`)}
  rules:
    - name: restart-on-exhaustion
      dryRun: false
      trigger: { incident: { settle: 0s } }
      runbook: restart
`,
    { clock, store },
  );
  try {
    write(clock.now());
    h.engine.observeIncident(incident({ id: 'inc-1', service: 'checkout', openedAt: clock.now() }));
    for (let i = 0; i < 6; i++) {
      await clock.advance(30_000);
      write(clock.now());
    }
    await h.engine.idle();
    const [ex] = h.engine.executions();
    assert.equal(ex!.state, 'rolled_back');
    assert.equal(ex!.verification?.holds, false);
    assert.ok(ex!.verification!.checks >= 4, `checked every 30 s for 2 minutes (${ex!.verification!.checks})`);
    assert.deepEqual(control.requests.map((r) => r.path), ['/services/checkout/restart', '/services/checkout/rollback?after=true']);
    assert.equal(h.notices.filter((n) => n.title.startsWith('Remediation rolled back')).length, 1, 'a human is told');
    assert.deepEqual(h.engine.ruleStatus()[0]!.failures, 1);
  } finally {
    await h.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
    await control.close();
  }
});

test('a verification that passes ends the execution as succeeded', async () => {
  const control = await RecordingServer.start();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-remediate-store-'));
  const store = openStore({ dir, checkpointIntervalMs: 0 });
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  let ratio = 0.2;
  // The restart fixes it: the ratio the "service" reports drops once the control API was called.
  control.respond = () => ((ratio = 0.001), { status: 200, body: 'ok' });
  const h = engineFrom(
    `${restartRunbook(control.url, `      verify: { query: 'http_error_ratio{service="{{ service }}"}', over: 30s, op: '<', value: 0.01, within: 5m, every: 15s }`)}
  rules:
    - { name: restart-on-exhaustion, dryRun: false, trigger: { incident: { settle: 0s } }, runbook: restart }
`,
    { clock, store },
  );
  try {
    h.engine.observeIncident(incident({ id: 'inc-1', service: 'checkout', openedAt: clock.now() }));
    for (let i = 0; i < 8; i++) {
      store.append([{ labels: { __name__: 'http_error_ratio', service: 'checkout' }, timestamps: [clock.now()], values: [ratio] }]);
      await clock.advance(15_000);
    }
    await h.engine.idle();
    const [ex] = h.engine.executions();
    assert.equal(ex!.state, 'succeeded', ex!.reason);
    assert.match(ex!.reason, /verification passed/);
  } finally {
    await h.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
    await control.close();
  }
});

test('the circuit breaker opens after repeated failures, pages a human, and closes after a successful trial', async () => {
  let healthy = false;
  const control = await RecordingServer.start(() => (healthy ? { status: 200, body: 'ok' } : { status: 503, body: 'down' }));
  const clock = new ManualClock(0);
  const h = engineFrom(
    `${restartRunbook(control.url)}
  rules:
    - name: restart-on-exhaustion
      dryRun: false
      trigger: { incident: { settle: 0s } }
      runbook: restart
      cooldown: 0s
      minConfidence: 0
      blastRadius: { maxTargets: 10 }
      circuitBreaker: { failures: 3, openFor: 30m }
`,
    { clock },
  );
  try {
    for (let i = 1; i <= 4; i++) {
      h.engine.observeIncident(incident({ id: `inc-${i}`, service: `svc-${i}` }));
      await h.engine.idle();
    }
    const states = h.engine.executions().reverse().map((e) => e.state);
    assert.deepEqual(states, ['failed', 'failed', 'failed', 'skipped']);
    assert.equal(h.engine.executions()[0]!.guard, 'circuit_breaker');
    assert.equal(h.notices.filter((n) => n.title.startsWith('Automation paused')).length, 1);
    assert.equal(h.engine.ruleStatus()[0]!.breaker, 'open');
    // After openFor, one trial goes through; its success closes the breaker.
    await clock.advance(30 * 60_000);
    assert.equal(h.engine.ruleStatus()[0]!.breaker, 'half_open');
    healthy = true;
    h.engine.observeIncident(incident({ id: 'inc-5', service: 'svc-5' }));
    await h.engine.idle();
    assert.equal(h.engine.executions()[0]!.state, 'succeeded');
    assert.equal(h.engine.ruleStatus()[0]!.breaker, 'closed');
    assert.equal(h.audit.list({ kind: 'breaker_closed' }).length, 1);
  } finally {
    await h.close();
    await control.close();
  }
});

test('rate limit and blast radius hold under a burst of 100 matching incidents', async () => {
  const control = await RecordingServer.start();
  const h = engineFrom(`${restartRunbook(control.url)}
  rules:
    - name: restart-on-exhaustion
      dryRun: false
      trigger: { incident: { settle: 0s } }
      runbook: restart
      cooldown: 0s
      rateLimit: { max: 5, per: 1h }
      blastRadius: { maxTargets: 3, window: 1h }
`);
  try {
    for (let i = 0; i < 100; i++) h.engine.observeIncident(incident({ id: `inc-${i}`, service: `svc-${i % 10}` }));
    await h.engine.idle();
    const all = h.engine.executions({ limit: 1000 });
    assert.equal(all.length, 100);
    const ran = all.filter((e) => e.state === 'succeeded');
    assert.equal(ran.length, 5, 'never more than the rate limit');
    assert.equal(control.requests.length, 5);
    assert.equal(new Set(control.requests.map((r) => r.path)).size, 3, 'at most 3 distinct targets per hour');
    const byGuard = new Map<string, number>();
    for (const e of all) if (e.guard) byGuard.set(e.guard, (byGuard.get(e.guard) ?? 0) + 1);
    assert.ok(byGuard.get('blast_radius')! > 0 && byGuard.get('rate_limit')! > 0);
    assert.equal(byGuard.get('blast_radius')! + byGuard.get('rate_limit')!, 95);
  } finally {
    await h.close();
    await control.close();
  }
});

test('the blast radius caps the share of a service instances acted on', async () => {
  const control = await RecordingServer.start();
  const h = engineFrom(
    `${restartRunbook(control.url)}
  rules:
    - name: restart-host
      dryRun: false
      trigger: { incident: { settle: 0s } }
      runbook: restart
      cooldown: 0s
      blastRadius: { maxTargets: 100, maxServiceShare: 0.5, window: 1h }
`,
    { instanceCount: (s) => (s === 'web' ? 4 : undefined) },
  );
  try {
    for (let i = 0; i < 4; i++) h.engine.observeIncident(incident({ id: `inc-${i}`, service: 'web', instance: `web-${i}` }));
    await h.engine.idle();
    assert.deepEqual(h.engine.executions().reverse().map((e) => e.guard ?? e.state), ['succeeded', 'succeeded', 'blast_radius', 'blast_radius']);
  } finally {
    await h.close();
    await control.close();
  }
});

test('a silence or a maintenance window matching the subject stops the action', async () => {
  const control = await RecordingServer.start();
  const h = engineFrom(
    `${restartRunbook(control.url)}
  maintenance:
    - { name: nightly-db, matchers: '{service="db"}', cron: "0 2 * * *", duration: 2h }
  rules:
    - { name: restart, dryRun: false, trigger: { incident: { settle: 0s } }, runbook: restart, cooldown: 0s }
`,
    { isSilenced: (l) => l.service === 'cart', clock: new ManualClock(Date.UTC(2026, 0, 1, 3, 0)) },
  );
  try {
    h.engine.observeIncident(incident({ id: 'a', service: 'cart' }));
    h.engine.observeIncident(incident({ id: 'b', service: 'db' }));
    h.engine.observeIncident(incident({ id: 'c', service: 'web' }));
    await h.engine.idle();
    const reasons = h.engine.executions().reverse().map((e) => `${e.guard ?? e.state}: ${e.reason.split(' ').slice(0, 3).join(' ')}`);
    assert.deepEqual(reasons, ['silenced: a silence matches', 'silenced: maintenance window nightly-db', 'succeeded: all steps succeeded']);
  } finally {
    await h.close();
    await control.close();
  }
});

test('confidence: a weak classification or an uncertain root cause is skipped with the figures', async () => {
  const control = await RecordingServer.start();
  const h = engineFrom(`${restartRunbook(control.url)}
  rules:
    - { name: restart, dryRun: false, trigger: { incident: { types: [resource_exhaustion], settle: 0s } }, runbook: restart, minConfidence: 0.7, cooldown: 0s }
`);
  try {
    h.engine.observeIncident(incident({ id: 'a', service: 'cart', typeConfidence: 0.3, score: 0.4 }));
    const [ex] = h.engine.executions();
    assert.equal(ex!.guard, 'confidence');
    assert.match(ex!.reason, /confidence 0\.\d+ < 0\.7 \(match 0\.30, root cause 0\.40, success rate 0\.90\)/);
    h.engine.observeIncident(incident({ id: 'b', service: 'cart', typeConfidence: 0.95, score: 0.9 }));
    await h.engine.idle();
    assert.equal(h.engine.executions()[0]!.state, 'succeeded');
  } finally {
    await h.close();
    await control.close();
  }
});

test('approval: the execution waits, runs when approved, and a rejection or expiry stops it', async () => {
  const control = await RecordingServer.start();
  const clock = new ManualClock(0);
  const h = engineFrom(
    `${restartRunbook(control.url)}
  defaults: { approvalTimeout: 10m }
  rules:
    - { name: restart, dryRun: false, approval: true, trigger: { incident: { settle: 0s } }, runbook: restart, cooldown: 0s }
`,
    { clock },
  );
  try {
    h.engine.observeIncident(incident({ id: 'a', service: 'cart' }));
    h.engine.observeIncident(incident({ id: 'b', service: 'web' }));
    h.engine.observeIncident(incident({ id: 'c', service: 'db' }));
    const [c, b, a] = h.engine.executions();
    assert.deepEqual([a!.state, b!.state, c!.state], ['pending_approval', 'pending_approval', 'pending_approval']);
    assert.equal(h.notices.filter((n) => n.title.startsWith('Approval needed')).length, 3);
    assert.equal(control.requests.length, 0);
    h.engine.approve(a!.id, 'alice', 'go');
    await h.engine.idle();
    assert.equal(h.engine.get(a!.id)!.state, 'succeeded');
    assert.equal(h.engine.get(a!.id)!.approval!.by, 'alice');
    h.engine.reject(b!.id, 'bob', 'not now');
    assert.equal(h.engine.get(b!.id)!.state, 'rejected');
    assert.throws(() => h.engine.approve(b!.id, 'alice'), /not waiting for approval/);
    await clock.advance(11 * 60_000);
    h.engine.tick();
    assert.equal(h.engine.get(c!.id)!.state, 'rejected');
    assert.match(h.engine.get(c!.id)!.reason, /expired/);
    assert.deepEqual(control.requests.map((r) => r.path), ['/services/cart/restart']);
    assert.deepEqual(h.audit.list({ kind: 'approved' }).map((e) => e.actor), ['alice']);
  } finally {
    await h.close();
    await control.close();
  }
});

test('the kill switch stops an action in flight and refuses new ones until it is turned off', async () => {
  // A real long-running command: the kill switch must end it, not wait for it.
  const h = engineFrom(`
remediation:
  handlers: { command: { allow: ["${process.execPath}"] } }
  runbooks:
    - name: slow-fix
      steps:
        - { id: fix, action: { type: command, argv: ["${process.execPath}", "-e", "setTimeout(() => {}, 60000)"] }, timeout: 2m }
  rules:
    - { name: slow, dryRun: false, trigger: { incident: { settle: 0s } }, runbook: slow-fix, cooldown: 0s }
`);
  try {
    h.engine.observeIncident(incident({ id: 'a', service: 'cart' }));
    assert.equal(h.engine.executions()[0]!.state, 'running');
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    h.engine.setKillSwitch(true, 'carol', 'hands off');
    await h.engine.idle();
    assert.ok(Date.now() - t0 < 10_000, 'stopped promptly');
    const [ex] = h.engine.executions();
    assert.equal(ex!.state, 'aborted');
    assert.match(ex!.reason, /kill switch turned on by carol/);
    h.engine.observeIncident(incident({ id: 'b', service: 'web' }));
    assert.equal(h.engine.executions()[0]!.guard, 'kill_switch');
    h.engine.setKillSwitch(false, 'carol');
    h.engine.observeIncident(incident({ id: 'c', service: 'db' }));
    assert.equal(h.engine.executions()[0]!.state, 'running');
    h.engine.setKillSwitch(true, 'carol');
    await h.engine.idle();
    assert.deepEqual(h.audit.list({ kind: 'kill_switch' }).map((e) => e.actor), ['carol', 'carol', 'carol']);
  } finally {
    await h.close();
  }
});

test('alert, metric, forecast and schedule triggers', async () => {
  const control = await RecordingServer.start();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-remediate-store-'));
  const store = openStore({ dir, checkpointIntervalMs: 0 });
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 0, 0));
  const h = engineFrom(
    `${restartRunbook(control.url)}
    - name: generic
      steps:
        - { id: call, action: { type: http, method: POST, url: "${control.url}/{{ rule }}" } }
  rules:
    - { name: disk-alerts, dryRun: false, trigger: { alert: { matchers: '{alertname="DiskFull"}', count: 2, within: 10m } }, runbook: generic, cooldown: 0s }
    - { name: queue-depth, dryRun: false, trigger: { metric: { query: 'queue_depth', over: 0s, op: '>', value: 1000, for: 2m } }, runbook: generic, cooldown: 0s }
    - { name: scale-ahead, dryRun: false, trigger: { forecast: { actions: [SCALE_SOON] } }, runbook: generic, cooldown: 0s }
    - { name: nightly, dryRun: false, trigger: { schedule: { cron: "0 3 * * *" } }, runbook: generic, cooldown: 0s }
`,
    { clock, store },
  );
  try {
    const alert = (fp: string) => ({ kind: 'alert' as const, fingerprint: fp, source: 'vigil', state: 'firing' as const, severity: 'high' as const, labels: { alertname: 'DiskFull', instance: fp }, annotations: {}, startsAt: clock.now() });
    h.engine.observeAlert(alert('h1'));
    assert.equal(h.engine.executions().length, 0, 'one alert is not enough');
    h.engine.observeAlert(alert('h2'));
    // Queue depth above 1000 for two minutes.
    for (let i = 0; i <= 5; i++) {
      store.append([{ labels: { __name__: 'queue_depth', service: 'orders' }, timestamps: [clock.now()], values: [5000] }]);
      h.engine.tick();
      await clock.advance(30_000);
    }
    h.engine.observeScaling({ kind: 'scaling', id: 's1', name: 'web-cpu', seriesHash: 'x', labels: { service: 'web' }, t: 0, action: 'SCALE_SOON', predictedPeak: 0.9, peakAt: 0, peakUtilization: 0.9, scaleByPercent: 30, reason: 'peak ahead', model: 'auto' });
    h.engine.observeScaling({ kind: 'scaling', id: 's2', name: 'web-cpu', seriesHash: 'x', labels: { service: 'web' }, t: 0, action: 'HOLD', predictedPeak: 0.5, peakAt: 0, peakUtilization: 0.5, scaleByPercent: 0, reason: 'fine', model: 'auto' });
    await clock.advance(3 * 3_600_000);
    h.engine.tick();
    await h.engine.idle();
    const ran = h.engine.executions().reverse().map((e) => `${e.rule}:${e.trigger.kind}:${e.state}`);
    assert.deepEqual(ran, ['disk-alerts:alert:succeeded', 'queue-depth:metric:succeeded', 'scale-ahead:forecast:succeeded', 'nightly:schedule:succeeded']);
  } finally {
    await h.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
    await control.close();
  }
});

test('an unknown action type or a bad parameter is a configuration error naming the step', () => {
  assert.throws(
    () =>
      engineFrom(`
remediation:
  runbooks:
    - name: broken
      steps:
        - action: { type: telnet, host: x }
        - action: { type: http, method: FETCH, url: "http://x" }
`),
    (e: Error) => /remediation\.runbooks\.0\.steps\.0\.action\.type: unknown action type "telnet"/.test(e.message) && /remediation\.runbooks\.0\.steps\.1\.action/.test(e.message),
  );
});

test('two rules acting on the same target share its per-target rate limit', async () => {
  const control = await RecordingServer.start();
  const h = engineFrom(`${restartRunbook(control.url)}
  defaults: { targetRateLimit: { max: 2, per: 1h } }
  rules:
    - { name: on-incident, dryRun: false, trigger: { incident: { settle: 0s } }, runbook: restart, cooldown: 0s }
    - { name: on-alert, dryRun: false, trigger: { alert: { matchers: '{alertname="Down"}' } }, runbook: restart, cooldown: 0s }
`);
  try {
    h.engine.observeIncident(incident({ id: 'a', service: 'cart' }));
    h.engine.observeIncident(incident({ id: 'b', service: 'cart' }));
    h.engine.observeAlert({ kind: 'alert', fingerprint: 'f1', source: 'vigil', state: 'firing', severity: 'high', labels: { alertname: 'Down', service: 'cart' }, annotations: {}, startsAt: 0 });
    await h.engine.idle();
    const [third] = h.engine.executions();
    assert.equal(third!.rule, 'on-alert');
    assert.equal(third!.guard, 'rate_limit');
    assert.match(third!.reason, /acted on 2 times .* by any rule/);
    assert.equal(control.requests.length, 2);
  } finally {
    await h.close();
    await control.close();
  }
});

test('an incident count counts only incidents that match the trigger', async () => {
  const control = await RecordingServer.start();
  const h = engineFrom(`${restartRunbook(control.url)}
  rules:
    - { name: repeated-exhaustion, dryRun: false, trigger: { incident: { types: [resource_exhaustion], settle: 0s, count: 2, within: 1h } }, runbook: restart, cooldown: 0s }
`);
  try {
    h.engine.observeIncident(incident({ id: 'a', service: 'cart' }));
    // Another type does not make it two.
    h.engine.observeIncident(incident({ id: 'b', service: 'web', type: 'network' }));
    h.engine.tick();
    assert.equal(h.engine.executions().length, 0);
    h.engine.observeIncident(incident({ id: 'c', service: 'db' }));
    assert.deepEqual(h.engine.executions().map((e) => e.trigger.incidentId), ['c'], 'the second match fires at once');
    h.engine.tick();
    await h.engine.idle();
    assert.deepEqual(h.engine.executions().map((e) => e.trigger.incidentId).sort(), ['a', 'c'], 'the first one at the next tick');
  } finally {
    await h.close();
    await control.close();
  }
});
