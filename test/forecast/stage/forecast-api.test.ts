import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startVigil, type VigilApp } from '../../../src/app/vigil-app.js';
import { parseConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/api/logger.js';
import { mulberry32 } from '../../../src/core/mulberry32.js';
import { tempDir } from '../../helpers/vigil-process.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const GiB = 2 ** 30;
const NOW = Math.floor(Date.now() / (5 * MIN)) * 5 * MIN;

let app: VigilApp;

/** Four days of 5-minute history ending now, for every series the test needs. */
function history(): Array<{ labels: Record<string, string>; samples: Array<[number, number]> }> {
  const r = mulberry32(2);
  const disk: Array<[number, number]> = [];
  const avail: Array<[number, number]> = [];
  const size: Array<[number, number]> = [];
  const cpu: Array<[number, number]> = [];
  const mem: Array<[number, number]> = [];
  const peakAt = NOW + 3 * HOUR;
  for (let t = NOW - 4 * DAY; t <= NOW; t += 5 * MIN) {
    // A disk filling 5 GB an hour, at 800 GB of 1 TB now: full in 40 h; 10% free in 20 h.
    const used = 800e9 + (5e9 * (t - NOW)) / HOUR;
    disk.push([t, used]);
    avail.push([t, 1e12 - used]);
    size.push([t, 1e12]);
    // Fleet CPU: a daily cycle whose peak rises 0.1 a day, due at 0.9 three hours from now.
    const peak = 0.9 - (0.1 * (peakAt - t)) / DAY;
    const phase = Math.cos((2 * Math.PI * (t - peakAt)) / DAY);
    cpu.push([t, 0.2 + (peak - 0.2) * Math.max(0, phase) ** 2 + (r() - 0.5) * 0.01]);
    // A cache using about 2 GiB of its 8 GiB.
    mem.push([t, 2 * GiB + 0.3 * GiB * Math.sin((2 * Math.PI * t) / DAY) + (r() - 0.5) * 0.1 * GiB]);
  }
  return [
    { labels: { __name__: 'disk_used_bytes', device: 'sda' }, samples: disk },
    { labels: { __name__: 'disk_avail_bytes', device: 'sda' }, samples: avail },
    { labels: { __name__: 'disk_size_bytes', device: 'sda' }, samples: size },
    { labels: { __name__: 'cpu_utilization', service: 'api' }, samples: cpu },
    { labels: { __name__: 'mem_used_bytes', service: 'cache' }, samples: mem },
  ];
}

before(async () => {
  const dir = tempDir();
  const yaml = `
server: { listen: 127.0.0.1:0, logLevel: silent }
storage: { dir: ${join(dir, 'data')} }
detect: { enabled: false }
rules:
  - { name: DiskFull, type: forecast, severity: high, selector: disk_used_bytes, window: 3d, horizon: 7d, limit: 1e12 }
forecast:
  interval: 1h
  capacity:
    - { name: disk, match: disk_used_bytes, limit: 1e12, window: 3d, horizon: 30d }
    - { name: disk-linear, match: disk_used_bytes, limit: 1e12, window: 3d, horizon: 30d, model: linear }
    - { name: disk-free, match: disk_avail_bytes, limitFrom: disk_size_bytes, limitScale: 0.1, direction: below, window: 3d, horizon: 30d }
  scaling:
    - { name: api-cpu, match: 'cpu_utilization{service="api"}', replicas: 4, window: 4d, horizon: 6h, step: 5m }
  rightsizing:
    window: 4d
    resources:
      - { name: cache-memory, match: mem_used_bytes, allocation: ${8 * GiB}, unitPrice: ${0.005 / GiB}, granularity: ${GiB / 4} }
`;
  app = await startVigil(parseConfig(yaml, 'test.yaml'), createLogger('silent'));
  const res = await fetch(app.url + '/api/v1/samples', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ series: history() }) });
  assert.equal(res.status, 200, await res.text());
});
after(() => app.close());

/** The fields of API rows the tests read (all JSON). */
interface Row {
  name: string;
  kind: string;
  labels: Record<string, string>;
  risk: string;
  direction: string;
  limit: number;
  at: number;
  earliestAt: number;
  action: string;
  reason: string;
  currentReplicas: number;
  recommendedReplicas: number;
  peakAt: number;
  recommended: number;
  monthlySaving: number;
  step: number;
  model: string;
  level: number;
  history: Array<[number, number]>;
  forecast: Array<{ t: number; mean: number; lower: number; upper: number }>;
}

async function get(path: string): Promise<{ status: number; json: { status: string; data: Row[]; error?: string } }> {
  const res = await fetch(app.url + path);
  return { status: res.status, json: (await res.json()) as { status: string; data: Row[]; error?: string } };
}

test('GET /api/v1/capacity: a disk 40 h from full is a high risk; the free-space floor from another series too', async () => {
  const { status, json } = await get('/api/v1/capacity?refresh=true');
  assert.equal(status, 200);
  const disk = json.data.find((r) => r.name === 'disk')!;
  const free = json.data.find((r) => r.name === 'disk-free')!;
  assert.equal(disk.risk, 'high');
  assert.equal(disk.limit, 1e12);
  assert.deepEqual(disk.labels, { __name__: 'disk_used_bytes', device: 'sda' });
  const hoursLeft = (disk.at - NOW / 1000) / 3600;
  assert.ok(hoursLeft > 30 && hoursLeft < 72, `disk full in ${hoursLeft.toFixed(1)} h (40 h on the trend)`);
  assert.ok(disk.earliestAt <= disk.at, 'the upper bound crosses no later than the forecast');
  assert.equal(free.direction, 'below');
  assert.equal(free.limit, 1e11, '10% of the 1 TB size series');
  const freeHours = (free.at - NOW / 1000) / 3600;
  assert.ok(freeHours > 15 && freeHours < 30, `10% free in ${freeHours.toFixed(1)} h (20 h on the trend)`);
  assert.equal(free.risk, 'high');
  // A straight line on a straight fill: 40 h, to within the 5-minute sampling (2-hour buckets end at the server's
  // clock, so their means sit up to 2.5 minutes either side of the bucket middles).
  const linear = json.data.find((r) => r.name === 'disk-linear')!;
  assert.equal(linear.model, 'linear');
  assert.ok(Math.abs((linear.at - NOW / 1000) / 3600 - 40) < 0.05, `linear: full in ${((linear.at - NOW / 1000) / 3600).toFixed(3)} h`);
  const onlyHigh = await get('/api/v1/capacity?risk=high&name=disk');
  assert.equal(onlyHigh.json.data.length, 1);
});

test('GET /api/v1/scaling: the rising daily peak asks for more replicas, and a ScalingEvent says so', async () => {
  const { json } = await get('/api/v1/scaling?refresh=true');
  const rec = json.data[0]!;
  assert.equal(rec.name, 'api-cpu');
  assert.equal(rec.action, 'SCALE_SOON', rec.reason);
  assert.equal(rec.currentReplicas, 4);
  assert.ok(rec.recommendedReplicas >= 5, `recommended ${rec.recommendedReplicas}`);
  assert.ok(Math.abs(rec.peakAt - (NOW + 3 * HOUR) / 1000) <= 3600, 'peak predicted within an hour of the real one');
  const events = await get(`/api/v1/scaling/events?since=${NOW / 1000 - 60}`);
  assert.equal(events.json.data.length, 1, 'one change, one event');
  assert.equal(events.json.data[0]!.kind, 'scaling');
  assert.equal(events.json.data[0]!.action, 'SCALE_SOON');
  assert.equal(events.json.data[0]!.recommendedReplicas, rec.recommendedReplicas);
});

test('GET /api/v1/rightsizing: the cache using a quarter of its memory gets a smaller size and a saving', async () => {
  const { json } = await get('/api/v1/rightsizing?oversized=true');
  const f = json.data[0]!;
  assert.equal(f.name, 'cache-memory');
  assert.ok(f.recommended < 8 * GiB && f.recommended >= 2 * GiB, `${f.recommended / GiB} GiB`);
  assert.equal(f.recommended % (GiB / 4), 0);
  assert.ok(Math.abs(f.monthlySaving - ((8 * GiB - f.recommended) / GiB) * 0.005 * 730) < 1e-6);
});

test('GET /api/v1/forecast: history, forecast and interval of a series', async () => {
  const { status, json } = await get(`/api/v1/forecast?series=${encodeURIComponent('disk_used_bytes{device="sda"}')}&horizon=48h&step=1h`);
  assert.equal(status, 200, json.error);
  const s = json.data[0]!;
  assert.equal(s.step, 3600);
  // Points sit at the middle of their hour, so 48 h from now takes 49 of them.
  assert.ok(s.forecast.length >= 48 && s.forecast.length <= 49, `${s.forecast.length} points`);
  assert.ok(s.forecast.at(-1)!.t >= NOW / 1000 + 48 * 3600);
  assert.equal(s.forecast[1]!.t - s.forecast[0]!.t, 3600);
  assert.ok(s.history.length >= 90);
  assert.equal(typeof s.model, 'string');
  assert.equal(s.level, 0.95);
  for (const p of s.forecast) assert.ok(p.lower <= p.mean && p.mean <= p.upper);
  assert.ok(s.forecast.at(-1)!.mean > s.history.at(-1)![1], 'a filling disk keeps filling');
});

test('forecast rules of the alerting stage are answered by the forecasting stage', () => {
  app.rules.evaluate(NOW);
  const [alert] = app.rules.alerts({ rule: 'DiskFull' });
  assert.ok(alert, 'DiskFull is active');
  const hours = alert.value! / 3600;
  assert.ok(hours > 30 && hours < 72, `predicted full in ${hours.toFixed(1)} h`);
});

test('bad parameters get a 400 naming the parameter', async () => {
  const cases: Array<[string, RegExp]> = [
    ['/api/v1/forecast?horizon=1h', /^series: /],
    ['/api/v1/forecast?series=disk%7B&horizon=1h', /^series: invalid selector/],
    ['/api/v1/forecast?series=disk_used_bytes&horizon=soon', /^horizon: invalid duration/],
    ['/api/v1/forecast?series=disk_used_bytes&horizon=0', /^horizon: must be greater than 0/],
    ['/api/v1/forecast?series=disk_used_bytes&horizon=1h&model=arima', /^model: expected auto, linear or lstm/],
    ['/api/v1/forecast?series=disk_used_bytes&horizon=1h&step=1ms', /^step: /],
    ['/api/v1/capacity?risk=extreme', /^risk: /],
    ['/api/v1/scaling?action=PANIC', /^action: /],
    ['/api/v1/rightsizing?oversized=maybe', /^oversized: /],
  ];
  for (const [path, message] of cases) {
    const { status, json } = await get(path);
    assert.equal(status, 400, path);
    assert.match(json.error!, message, path);
  }
  const lstm = await get('/api/v1/forecast?series=disk_used_bytes&horizon=1h&model=lstm');
  assert.equal(lstm.status, 422);
  assert.match(lstm.json.error!, /no trained LSTM model/);
});
