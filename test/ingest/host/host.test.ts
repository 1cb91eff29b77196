import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { pino } from 'pino';
import type { AppendResult, SeriesWrite } from '../../../src/store/types.js';
import { HostCollector, parseDiskstats, parseMeminfo, parseProcStat, mountFor } from '../../../src/ingest/host/index.js';

const logger = pino({ level: 'silent' });
const sink = { write: (w: readonly SeriesWrite[]): AppendResult => ({ accepted: w.length, rejected: {} }), rejectBeforeStore: () => undefined };

function find(writes: SeriesWrite[], name: string, labels: Record<string, string> = {}): number | undefined {
  const w = writes.find((x) => x.labels.__name__ === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return w?.values[0];
}

test('procfs parsers', () => {
  const stat = parseProcStat('cpu  100 0 50 1000 10 0 5 0 0 0\ncpu0 100 0 50 1000 10 0 5 0 0 0\nctxt 42\nbtime 1700000000\nprocesses 9\n');
  assert.equal(stat.cpus[0]!.seconds.user, 1);
  assert.equal(stat.cpus[0]!.seconds.idle, 10);
  assert.equal(stat.bootTime, 1700000000);
  const mem = parseMeminfo('MemTotal:       16000 kB\nActive(anon):   10 kB\nHugePages_Total:       0\n');
  assert.deepEqual(mem.map((m) => [m.name, m.value, m.bytes]), [['MemTotal', 16000 * 1024, true], ['Active_anon', 10240, true], ['HugePages_Total', 0, false]]);
  const disks = parseDiskstats('   8       0 sda 10 0 20 30 40 0 80 90 1 100 200 0 0 0 0\n   8       1 sda1 1 0 2 3 4 0 8 9 0 10 20 0 0 0 0\n   7 0 loop0 0 0 0 0 0 0 0 0 0 0 0\n');
  assert.deepEqual(disks.map((d) => d.device), ['sda']);
  assert.equal(disks[0]!.readBytes, 20 * 512);
  const mounts = [{ device: 'rootfs', mountpoint: '/', fstype: 'ext4' }, { device: 'tmp', mountpoint: '/tmp', fstype: 'tmpfs' }];
  assert.equal(mountFor('/tmp/x', mounts)!.fstype, 'tmpfs');
  assert.equal(mountFor('/tmpx', mounts)!.fstype, 'ext4');
});

test('collecting this Linux host gives plausible node_exporter-style series', { skip: !existsSync('/proc/stat') && 'not Linux' }, async () => {
  const c = new HostCollector({ intervalMs: 15_000, paths: ['/', process.cwd()], sink, logger, instance: 'test-host' });
  const first = await c.collect();
  const cpuSeries = first.filter((w) => w.labels.__name__ === 'node_cpu_seconds_total');
  assert.ok(cpuSeries.length >= 8, 'per-cpu, per-mode counters');
  assert.ok(first.every((w) => w.labels.job === 'vigil-host' && w.labels.instance === 'test-host'));
  const total = (ws: SeriesWrite[]) => ws.filter((w) => w.labels.__name__ === 'node_cpu_seconds_total').reduce((a, w) => a + w.values[0]!, 0);
  // Burn a little CPU so the counters move.
  const end = Date.now() + 150;
  while (Date.now() < end) Math.sqrt(Math.random());
  const second = await c.collect();
  assert.ok(total(second) > total(first), 'CPU counters increase');
  assert.ok(second[0]!.timestamps[0]! > first[0]!.timestamps[0]!);
  const util = find(second, 'node_cpu_utilization');
  assert.ok(util !== undefined && util >= 0 && util <= 1, `utilisation ${util}`);
  const memTotal = find(second, 'node_memory_MemTotal_bytes')!;
  const memAvail = find(second, 'node_memory_MemAvailable_bytes')!;
  assert.ok(memTotal > 0 && memAvail >= 0 && memAvail <= memTotal);
  assert.ok(find(second, 'node_load1')! >= 0);
  assert.ok(find(second, 'node_load15')! >= 0);
  const size = find(second, 'node_filesystem_size_bytes', { mountpoint: '/' })!;
  const avail = find(second, 'node_filesystem_avail_bytes', { mountpoint: '/' })!;
  assert.ok(size > 0 && avail >= 0 && avail <= size);
  assert.ok(second.some((w) => w.labels.__name__ === 'node_network_receive_bytes_total' && w.labels.device === 'lo'));
  assert.ok(await c.collectAndWrite() > 0);
});
