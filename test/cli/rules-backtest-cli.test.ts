import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startVigil } from '../../src/app/vigil-app.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/api/logger.js';
import type { BacktestReport } from '../../src/alerting/rules/index.js';
import { VIGIL_BIN, tempDir } from '../helpers/vigil-process.js';

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    delete env.VIGIL_URL;
    const child = spawn(process.execPath, [VIGIL_BIN, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const RULES = `rules:
  - name: QueueBacklog
    type: threshold
    severity: high
    selector: queue_depth{queue="orders"}
    op: '>'
    value: 100
  - name: QueueOverflow
    type: threshold
    severity: critical
    selector: queue_depth
    op: '>'
    value: 10000
`;

/** Minute indices (from the first sample) where queue_depth is high: three episodes, 10, 15 and 10 minutes long. */
const EPISODES: Array<[number, number]> = [
  [30, 40],
  [80, 95],
  [150, 160],
];

function check(report: BacktestReport, t0: number): void {
  const backlog = report.rules.find((r) => r.rule === 'QueueBacklog')!;
  assert.equal(backlog.firings, 3);
  assert.equal(backlog.errors, 0);
  backlog.alerts.forEach((a, i) => {
    const [from, to] = EPISODES[i]!;
    // Each episode fires at the first evaluation at or after its first high sample, and resolves at the first after its last.
    assert.ok(a.at >= t0 + from * 60_000 && a.at < t0 + from * 60_000 + 60_000, `episode ${i} fired at ${a.at - t0}`);
    assert.equal(a.resolvedAt! - a.at, (to - from) * 60_000);
    assert.deepEqual(a.labels, { queue: 'orders', alertname: 'QueueBacklog', severity: 'high' });
  });
  const overflow = report.rules.find((r) => r.rule === 'QueueOverflow')!;
  assert.equal(overflow.firings, 0);
}

test('vigil rules backtest replays a rule file over stored history, through the server and on a data directory', { timeout: 90_000 }, async () => {
  const dir = tempDir();
  const dataDir = join(dir, 'data');
  const app = await startVigil(parseConfig(`server: { listen: 127.0.0.1:0, logLevel: silent }\nstorage: { dir: ${dataDir} }\ndetect: { enabled: false }\n`, 'vigil.yaml', {}), createLogger('silent'));
  const now = Date.now();
  const t0 = Math.floor((now - 3 * 3600_000) / 60_000) * 60_000;
  const samples: Array<[number, number]> = [];
  for (let i = 0; i < 170; i++) samples.push([t0 + i * 60_000, EPISODES.some(([a, b]) => i >= a && i < b) ? 500 : 10]);
  const rulesFile = join(dir, 'rules.yaml');
  writeFileSync(rulesFile, RULES);
  try {
    const write = await fetch(`${app.url}/api/v1/samples`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        series: [
          { labels: { __name__: 'queue_depth', queue: 'orders' }, samples },
          { labels: { __name__: 'queue_depth', queue: 'billing' }, samples: samples.map(([t]) => [t, 20]) },
        ],
      }),
    });
    assert.equal(write.status, 200, await write.text());

    // Through the running server (the default path).
    const json = await run(['rules', 'backtest', rulesFile, '--since', '4h', '--step', '1m', '--url', app.url, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as BacktestReport;
    assert.equal(report.stepMs, 60_000);
    assert.equal(report.evaluations, 241);
    check(report, t0);

    const text = await run(['rules', 'backtest', rulesFile, '--since', '4h', '--url', app.url]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^2 rules from \S+ to \S+, every 1m \(241 evaluations\)$/m);
    assert.match(text.stdout, /^RULE\s+TYPE\s+FIRINGS\s+FIRST FIRING\s+LAST FIRING\s+FIRING FOR\s+ERRORS$/m);
    assert.match(text.stdout, /^QueueBacklog\s+threshold\s+3\s+\d{4}-\d\d-\d\dT[\d:]+Z\s+\d{4}-\d\d-\d\dT[\d:]+Z\s+35m\s+0$/m);
    assert.match(text.stdout, /^QueueOverflow\s+threshold\s+0\s+-\s+-\s+-\s+0$/m);

    // The rules were not installed.
    const installed = (await (await fetch(`${app.url}/api/v1/rules`)).json()) as { data: unknown[] };
    assert.equal(installed.data.length, 0);

    // While the server holds the store, opening the data directory is refused with a pointer to --url.
    const locked = await run(['rules', 'backtest', rulesFile, '--since', '4h', '--data-dir', dataDir]);
    assert.equal(locked.code, 1);
    assert.match(locked.stderr, /is in use by process \d+.*backtest through it instead/);

    // A rule file with problems: file:line:column errors, exit 2, before the server is asked.
    const badFile = join(dir, 'bad.yaml');
    writeFileSync(badFile, 'rules:\n  - name: X\n    type: threshold\n    selector: up\n    op: "=>"\n    value: 1\n');
    const bad = await run(['rules', 'backtest', badFile, '--since', '1h', '--url', app.url]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, new RegExp(`${badFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:\\d+: rules\\.0\\.op: `));
    const usage = await run(['rules', 'backtest', rulesFile, '--since', 'yesterday', '--url', app.url]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--since: invalid duration "yesterday"/);

    // The endpoint itself refuses bad rule text and oversized requests with 400.
    const post = (body: unknown) => fetch(`${app.url}/api/v1/rules/backtest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const r1 = await post({ rules: 'rules:\n  - name: A\n    type: composite\n    severity: low\n    when: { or: [B, C] }\n', file: 'x.yaml', start: now - 3600_000, end: now, stepMs: 60_000 });
    assert.equal(r1.status, 400);
    assert.match(((await r1.json()) as { error: string }).error, /x\.yaml.*unknown rule "B"/);
    const r2 = await post({ rules: RULES, start: 0, end: now, stepMs: 1000 });
    assert.equal(r2.status, 400);
    assert.match(((await r2.json()) as { error: string }).error, /evaluations requested, at most 100000/);
  } finally {
    await app.close();
  }

  // No server: the data directory is opened directly.
  const offline = await run(['rules', 'backtest', rulesFile, '--since', '4h', '--data-dir', dataDir, '--json']);
  assert.equal(offline.code, 0, offline.stderr);
  check(JSON.parse(offline.stdout) as BacktestReport, t0);
});
