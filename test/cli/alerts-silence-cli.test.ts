import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startVigil } from '../../src/app/vigil-app.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/api/logger.js';
import { VIGIL_BIN, tempDir } from '../helpers/vigil-process.js';
import { waitFor } from '../helpers/wait-for.js';

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const e = { ...process.env, ...env };
    if (!('VIGIL_URL' in env)) delete e.VIGIL_URL;
    const child = spawn(process.execPath, [VIGIL_BIN, ...args], { env: e });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('vigil alerts list/ack/resolve and vigil silence add/list/expire against a running Vigil', { timeout: 90_000 }, async () => {
  const dir = tempDir();
  const yaml = `
server: { listen: 127.0.0.1:0, logLevel: silent }
storage: { dir: ${join(dir, 'data')} }
detect: { enabled: false }
rules:
  - { name: QueueBacklog, type: threshold, severity: high, selector: queue_depth, op: '>', value: 100 }
  - { name: DiskFull, type: threshold, severity: critical, selector: disk_used_ratio, op: '>', value: 0.9 }
ruleEvaluation: { evaluationInterval: 1s }
`;
  const app = await startVigil(parseConfig(yaml, 'vigil.yaml', {}), createLogger('silent'));
  try {
    const now = Date.now();
    const write = await fetch(`${app.url}/api/v1/samples`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        series: [
          { labels: { __name__: 'queue_depth', queue: 'orders' }, samples: [[now - 1000, 450]] },
          { labels: { __name__: 'disk_used_ratio', host: 'db-1' }, samples: [[now - 1000, 0.95]] },
        ],
      }),
    });
    assert.equal(write.status, 200);
    const firing = await waitFor('two firing alerts', async () => {
      const d = ((await (await fetch(`${app.url}/api/v1/alerts?state=firing`)).json()) as { data: Array<{ fingerprint: string; rule: string }> }).data;
      return d.length === 2 ? d : undefined;
    });
    const fp = firing.find((a) => a.rule === 'QueueBacklog')!.fingerprint;
    const diskFp = firing.find((a) => a.rule === 'DiskFull')!.fingerprint;

    // list: a table, with VIGIL_URL as the server.
    const list = await run(['alerts', 'list'], { VIGIL_URL: app.url });
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^FINGERPRINT\s+STATE\s+SEVERITY\s+ALERTNAME\s+LABELS\s+SINCE\s+ACKED BY$/);
    assert.equal(lines.length, 3);
    // SINCE is `now` when the list comes within half a second of the alert's firing (seen in CI), else `… ago`.
    assert.ok(lines.some((l) => l.startsWith(fp) && /firing\s+high\s+QueueBacklog\s+\{queue="orders"\}\s+(now|\S+ ago)\s*$/.test(l)), list.stdout);

    const byRule = await run(['alerts', 'list', '--rule', 'DiskFull', '--url', app.url]);
    assert.equal(byRule.stdout.trimEnd().split('\n').length, 2);
    assert.match(byRule.stdout, /DiskFull\s+\{host="db-1"\}/);

    // ack, then the table shows who.
    const ack = await run(['alerts', 'ack', fp, '--by', 'alice', '--comment', 'on it', '--url', app.url]);
    assert.equal(ack.code, 0, ack.stderr);
    assert.match(ack.stdout, new RegExp(`alert ${fp} acknowledged by alice`));
    const after = await run(['alerts', 'list', '--state', 'firing', '--url', app.url]);
    assert.ok(after.stdout.split('\n').some((l) => l.startsWith(fp) && l.trimEnd().endsWith('alice')), after.stdout);

    // resolve by hand.
    const res = await run(['alerts', 'resolve', diskFp, '--by', 'bob', '--note', 'disk cleaned', '--url', app.url]);
    assert.equal(res.code, 0, res.stderr);
    const resolved = await run(['alerts', 'list', '--state', 'resolved', '--json', '--url', app.url]);
    const rj = JSON.parse(resolved.stdout) as Array<{ fingerprint: string; manual?: { by: string; note: string } }>;
    assert.deepEqual(rj.map((a) => [a.fingerprint, a.manual?.by, a.manual?.note]), [[diskFp, 'bob', 'disk cleaned']]);

    // Errors from the server: printed with their message, exit 1.
    const unknown = await run(['alerts', 'ack', 'nope', '--by', 'alice', '--url', app.url]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /vigil: no alert with fingerprint nope \(HTTP 404\)/);
    const again = await run(['alerts', 'resolve', diskFp, '--by', 'bob', '--note', 'x', '--url', app.url]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already resolved \(HTTP 409\)/);

    // Bad flags: exit 2.
    for (const args of [
      ['alerts', 'list', '--state', 'burning', '--url', app.url],
      ['alerts', 'ack', fp, '--url', app.url],
      ['alerts', 'list', '--url', 'ftp://x'],
      ['silence', 'add', 'alertname=~"(", ', '--by', 'a', '--comment', 'c', '--url', app.url],
      ['silence', 'add', 'alertname="X"', '--by', 'a', '--comment', 'c', '--duration', '2 hours', '--url', app.url],
      ['silence', 'add', 'alertname="X"', '--comment', 'c', '--url', app.url],
    ]) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    }

    // silence add: Alertmanager matchers; prints the id.
    const add = await run(['silence', 'add', 'alertname="QueueBacklog"', 'queue=~"orders|billing"', '--duration', '2h', '--by', 'carol', '--comment', 'deploy', '--url', app.url]);
    assert.equal(add.code, 0, add.stderr);
    const id = add.stdout.trim();
    assert.match(id, /^[0-9a-f-]{36}$/);
    const silenced = await waitFor('the alert silenced', async () => {
      const list = (await (await fetch(`${app.url}/api/v1/alerts?state=firing`)).json()) as { data: Array<{ fingerprint: string; status: { silencedBy: string[] } | null }> };
      return list.data.find((a) => a.fingerprint === fp && a.status?.silencedBy.includes(id));
    });
    assert.ok(silenced);

    const sl = await run(['silence', 'list', '--url', app.url]);
    assert.equal(sl.code, 0, sl.stderr);
    assert.match(sl.stdout, /^ID\s+STATE\s+MATCHERS\s+WHEN\s+CREATED BY\s+COMMENT$/m);
    assert.match(sl.stdout, new RegExp(`^${id}\\s+active\\s+\\{alertname="QueueBacklog", queue=~"orders\\|billing"\\}\\s+ends in (1h59m\\d+s|2h)\\s+carol\\s+deploy$`, 'm'));
    assert.match((await run(['silence', 'list', '--expired', '--url', app.url])).stdout, /no expired silences/);

    const exp = await run(['silence', 'expire', id, '--url', app.url]);
    assert.equal(exp.code, 0, exp.stderr);
    assert.match((await run(['silence', 'list', '--url', app.url])).stdout, /no active or pending silences/);
    assert.match((await run(['silence', 'list', '--expired', '--url', app.url])).stdout, new RegExp(`^${id}\\s+expired`, 'm'));
    const twice = await run(['silence', 'expire', id, '--url', app.url]);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /already expired \(HTTP 409\)/);
  } finally {
    await app.close();
  }
});

test('an unreachable server is a clear message and exit 1', { timeout: 30_000 }, async () => {
  // A port that was just free: nothing listens there.
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  const url = `http://127.0.0.1:${port}`;
  const r = await run(['alerts', 'list', '--url', url]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `vigil: cannot reach Vigil at ${url} (ECONNREFUSED); is it running? Set --url or VIGIL_URL\n`);
  const s = await run(['silence', 'list'], { VIGIL_URL: url });
  assert.equal(s.code, 1);
  assert.match(s.stderr, /cannot reach Vigil at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
});
