import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FleetSimulator } from '../../src/simulate/index.js';
import { HOUR } from './helpers.js';

// 2024-01-01 is a Monday; the fleet runs on UTC.
const MONDAY = Date.UTC(2024, 0, 1);

function hourlyMeans(sim: FleetSimulator, metric: string, instance: string, from: number, hours: number): number[] {
  const i = sim.seriesIndex(metric, instance);
  const out: number[] = [];
  for (let h = 0; h < hours; h++) {
    let sum = 0;
    let n = 0;
    for (const { values } of sim.generate(from + h * HOUR, from + (h + 1) * HOUR, 60_000)) {
      sum += values[i]!;
      n++;
    }
    out.push(sum / n);
  }
  return out;
}

test('web traffic peaks in business hours and bottoms out at night', () => {
  const sim = new FleetSimulator({ seed: 4, incidents: 'none', startTime: MONDAY });
  const day = hourlyMeans(sim, 'http_requests_per_sec', 'host-01', MONDAY + 24 * HOUR, 24); // Tuesday
  const peak = Math.max(...day);
  const trough = Math.min(...day);
  assert.ok(peak > 2.5 * trough, `peak ${peak.toFixed(0)} vs trough ${trough.toFixed(0)} req/s`);
  const peakHour = day.indexOf(peak);
  const troughHour = day.indexOf(trough);
  assert.ok(peakHour >= 11 && peakHour <= 17, `peak at ${peakHour}:00`);
  assert.ok(troughHour >= 2 && troughHour <= 6, `trough at ${troughHour}:00`);
});

test('weekends are quieter than weekdays', () => {
  const sim = new FleetSimulator({ seed: 4, incidents: 'none', startTime: MONDAY });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const wednesday = mean(hourlyMeans(sim, 'http_requests_per_sec', 'host-01', MONDAY + 2 * 24 * HOUR, 24));
  const saturday = mean(hourlyMeans(sim, 'http_requests_per_sec', 'host-01', MONDAY + 5 * 24 * HOUR, 24));
  assert.ok(saturday < 0.85 * wednesday, `saturday ${saturday.toFixed(0)} vs wednesday ${wednesday.toFixed(0)} req/s`);
});

test('API load follows web load down the dependency graph', () => {
  const sim = new FleetSimulator({ seed: 4, incidents: 'none', startTime: MONDAY });
  const web = hourlyMeans(sim, 'http_requests_per_sec', 'host-01', MONDAY + 24 * HOUR, 24);
  const api = hourlyMeans(sim, 'http_requests_per_sec', 'host-03', MONDAY + 24 * HOUR, 24);
  assert.ok(correlation(web, api) > 0.9, `correlation ${correlation(web, api).toFixed(3)}`);
  // The API's CPU and latency rise with its load too.
  const cpu = hourlyMeans(sim, 'node_cpu_utilization', 'host-03', MONDAY + 24 * HOUR, 24);
  assert.ok(correlation(api, cpu) > 0.8);
});

test('the ETL worker runs its batch at night', () => {
  const sim = new FleetSimulator({ seed: 4, incidents: 'none', startTime: MONDAY });
  const rows = hourlyMeans(sim, 'etl_rows_processed_per_sec', 'host-11', MONDAY + 24 * HOUR, 24);
  assert.ok(rows[3]! > 5 * rows[14]!, `03:00 ${rows[3]!.toFixed(0)} rows/s vs 14:00 ${rows[14]!.toFixed(0)}`);
});

test('the fleet can live in another time zone', () => {
  const utc = new FleetSimulator({ seed: 4, incidents: 'none' });
  const ny = new FleetSimulator({ seed: 4, incidents: 'none', utcOffsetHours: -5 });
  const tue = MONDAY + 24 * HOUR;
  const utcDay = hourlyMeans(utc, 'http_requests_per_sec', 'host-01', tue, 24);
  const nyDay = hourlyMeans(ny, 'http_requests_per_sec', 'host-01', tue, 24);
  // UTC 04:00 is the trough in London and 23:00 the evening before in New York.
  assert.ok(nyDay[4]! > 1.3 * utcDay[4]!);
});

function correlation(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}
