import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { forecastChart, niceTicks } from '../../../src/forecast/chart/forecast-chart.js';
import { runForecastSeries, isSeriesArgument } from '../../../src/cli/forecast-series.js';
import { startVigil, type VigilApp } from '../../../src/app/vigil-app.js';
import { parseConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/api/logger.js';
import { tempDir } from '../../helpers/vigil-process.js';
import { runVigil } from '../../helpers/cli-run.js';

const HOUR = 3_600_000;
const NOW = Math.floor(Date.now() / 60_000) * 60_000;

/** Every opened tag is closed in order: the file is well-formed XML as far as elements go. */
function assertBalanced(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (m[3]) continue;
    if (m[1]) assert.equal(stack.pop(), m[2], `</${m[2]}> closes the open element`);
    else stack.push(m[2]!);
  }
  assert.deepEqual(stack, []);
}

test('the chart draws history, the interval band, the dashed forecast, a limit and an escaped title', () => {
  const history = Array.from({ length: 48 }, (_, i) => [NOW - (47 - i) * HOUR, 10 + i] as const);
  const forecast = Array.from({ length: 24 }, (_, h) => ({ t: NOW + (h + 1) * HOUR, mean: 58 + h, lower: 55 + h * 0.8, upper: 61 + h * 1.2 }));
  const svg = forecastChart({ title: 'disk{device="sda"} <fill>', history, forecast, level: 0.95, model: 'ets & ar', limit: 100 });
  assert.match(svg, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assertBalanced(svg);
  assert.match(svg, /disk\{device=&quot;sda&quot;\} &lt;fill&gt;/);
  assert.match(svg, /forecast \(ets &amp; ar\)/);
  assert.match(svg, /stroke-dasharray="6 4"/, 'the forecast line is dashed');
  assert.match(svg, /Z" fill="#f3c9a8"/, 'the interval is a closed band');
  assert.match(svg, /limit 100/);
  assert.match(svg, /95% interval/);
  assert.doesNotMatch(svg, /NaN|Infinity|<script|href=/, 'self-contained and finite');
});

test('value ticks are round numbers covering the range', () => {
  assert.deepEqual(niceTicks(0.3, 9.7, 6), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(5, 5, 3), [4.5, 5, 5.5]);
  const t = niceTicks(123e9, 1e12, 6);
  assert.ok(t[0]! <= 123e9 && t.at(-1)! >= 1e12);
});

test('the forecast argument: a .csv file is the offline mode, anything else a series selector', () => {
  assert.equal(isSeriesArgument('data/m4.CSV'), false);
  assert.equal(isSeriesArgument('node_load1{instance="a.csv"}'), true);
  assert.equal(isSeriesArgument('node_load1'), true);
});

let app: VigilApp;
before(async () => {
  const dir = tempDir();
  app = await startVigil(parseConfig(`server: { listen: 127.0.0.1:0, logLevel: silent }\nstorage: { dir: ${join(dir, 'data')} }\ndetect: { enabled: false }\n`, 'test.yaml'), createLogger('silent'));
  const samples: Array<[number, number]> = [];
  for (let t = NOW - 12 * HOUR; t <= NOW; t += 60_000) samples.push([t, 50 + 10 * Math.sin((2 * Math.PI * t) / (3 * HOUR))]);
  const res = await fetch(app.url + '/api/v1/samples', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ series: [{ labels: { __name__: 'queue_depth', queue: 'orders' }, samples }] }) });
  assert.equal(res.status, 200);
});
after(() => app.close());

test('vigil forecast SERIES --horizon 3h --svg: a summary line and the chart from a running Vigil', async () => {
  const file = join(tempDir(), 'queue.svg');
  let printed = '';
  const out = new Writable({ write: (c, _e, cb) => ((printed += String(c)), cb()) });
  await runForecastSeries('queue_depth{queue="orders"}', { horizon: '3h', svg: file, url: app.url }, out);
  assert.match(printed, /^series\s+model\s+last\s+horizon end/);
  assert.match(printed, /queue_depth\{queue="orders"\}/);
  assert.match(printed, new RegExp(`wrote ${file}`));
  const svg = readFileSync(file, 'utf8');
  assertBalanced(svg);
  assert.match(svg, /queue_depth\{queue=&quot;orders&quot;\}: forecast 3h/);
  assert.equal((svg.match(/<path /g) ?? []).length, 3, 'band, forecast and history');
});

test('bad options name the option; a server error is reported with its message', async () => {
  await assert.rejects(runForecastSeries('queue_depth', { horizon: 'soon', url: app.url }), /--horizon: invalid duration "soon"/);
  await assert.rejects(runForecastSeries('queue_depth', { horizon: '1h', model: 'arima', url: app.url }), /--model: expected auto, linear or lstm/);
  await assert.rejects(runForecastSeries('queue_depth{', { horizon: '1h', url: app.url }), /series: invalid selector.*HTTP 400/);
});

test('the vigil binary: `vigil forecast SERIES --svg` writes the chart; an unreachable server is one line and exit 1', async () => {
  const file = join(tempDir(), 'cli.svg');
  const ok = await runVigil(['forecast', 'queue_depth', '--horizon', '2h', '--svg', file, '--url', app.url]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /queue_depth\{queue="orders"\}/);
  assertBalanced(readFileSync(file, 'utf8'));
  const down = await runVigil(['forecast', 'queue_depth', '--horizon', '2h', '--url', 'http://127.0.0.1:1']);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /^vigil: cannot reach Vigil at http:\/\/127.0.0.1:1/);
  assert.doesNotMatch(down.stderr, /\n\s+at /, 'no stack trace');
});
