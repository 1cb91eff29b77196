import { readFile, realpath, statfs } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { METRIC_NAME, type Labels } from '../../core/labels.js';
import type { SeriesWrite } from '../../store/types.js';
import type { ScrapeSink } from '../scrape/target.js';
import {
  CPU_MODES,
  type CpuTimes,
  mountFor,
  parseDiskstats,
  parseLoadavg,
  parseMeminfo,
  parseMounts,
  parseNetDev,
  parseProcStat,
} from './procfs.js';

export interface HostCollectorOptions {
  intervalMs: number;
  /** Paths whose file systems are reported (default: `/`); the app adds the data directory. */
  paths?: string[];
  sink: ScrapeSink;
  logger: Logger;
  /** For tests: where /proc is. */
  procPath?: string;
  /** Default: the OS host name. */
  instance?: string;
}

export const HOST_JOB = 'vigil-host';

/**
 * Collects this host's CPU, memory, file system, disk, network and load
 * metrics from Linux /proc every interval, named as node_exporter names them,
 * with job="vigil-host" and instance=<hostname>. A source that cannot be read
 * (not Linux, a restricted container) is skipped with one warning.
 */
export class HostCollector {
  readonly instance: string;
  private readonly proc: string;
  private readonly paths: string[];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private prevCpu: CpuTimes | undefined;
  private readonly warned = new Set<string>();
  private lastTs = 0;

  constructor(private readonly opts: HostCollectorOptions) {
    this.instance = opts.instance ?? hostname();
    this.proc = opts.procPath ?? '/proc';
    this.paths = [...new Set((opts.paths ?? ['/']).map((p) => resolve(p)))];
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      if (!this.running) this.running = this.collectAndWrite().finally(() => (this.running = undefined));
    };
    tick();
    this.timer = setInterval(tick, this.opts.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  async collectAndWrite(): Promise<number> {
    const writes = await this.collect();
    try {
      return this.opts.sink.write(writes, 'host').accepted;
    } catch (e) {
      this.opts.logger.error({ err: (e as Error).message }, 'host collector: storing samples failed');
      return 0;
    }
  }

  /** One collection: every series with one sample at `now`. */
  async collect(now = Date.now()): Promise<SeriesWrite[]> {
    const t = Math.max(now, this.lastTs + 1);
    this.lastTs = t;
    const writes: SeriesWrite[] = [];
    const base = { job: HOST_JOB, instance: this.instance };
    const put = (name: string, value: number, extra: Record<string, string> = {}) => {
      const labels: Labels = { [METRIC_NAME]: name, ...base, ...extra };
      writes.push({ labels, timestamps: [t], values: [value] });
    };

    await this.source('/proc/stat', 'stat', (text) => {
      const s = parseProcStat(text);
      for (const c of s.cpus) for (const mode of CPU_MODES) put('node_cpu_seconds_total', c.seconds[mode], { cpu: c.cpu, mode });
      // Busy share of all CPUs since the previous collection (idle and iowait count as not busy).
      const prev = this.prevCpu;
      this.prevCpu = s.total;
      if (prev) {
        let total = 0;
        let idle = 0;
        for (const mode of CPU_MODES) {
          const d = s.total.seconds[mode] - prev.seconds[mode];
          total += d;
          if (mode === 'idle' || mode === 'iowait') idle += d;
        }
        if (total > 0) put('node_cpu_utilization', Math.min(1, Math.max(0, 1 - idle / total)));
      }
      if (s.bootTime !== undefined) put('node_boot_time_seconds', s.bootTime);
      if (s.contextSwitches !== undefined) put('node_context_switches_total', s.contextSwitches);
      if (s.forks !== undefined) put('node_forks_total', s.forks);
    });
    await this.source('/proc/meminfo', 'meminfo', (text) => {
      for (const m of parseMeminfo(text)) put(`node_memory_${m.name}${m.bytes ? '_bytes' : ''}`, m.value);
    });
    await this.source('/proc/loadavg', 'loadavg', (text) => {
      const l = parseLoadavg(text);
      put('node_load1', l.load1);
      put('node_load5', l.load5);
      put('node_load15', l.load15);
    });
    await this.source('/proc/net/dev', 'net/dev', (text) => {
      for (const d of parseNetDev(text)) {
        const l = { device: d.device };
        put('node_network_receive_bytes_total', d.receiveBytes, l);
        put('node_network_receive_packets_total', d.receivePackets, l);
        put('node_network_receive_errs_total', d.receiveErrs, l);
        put('node_network_receive_drop_total', d.receiveDrop, l);
        put('node_network_transmit_bytes_total', d.transmitBytes, l);
        put('node_network_transmit_packets_total', d.transmitPackets, l);
        put('node_network_transmit_errs_total', d.transmitErrs, l);
        put('node_network_transmit_drop_total', d.transmitDrop, l);
      }
    });
    await this.source('/proc/diskstats', 'diskstats', (text) => {
      for (const d of parseDiskstats(text)) {
        const l = { device: d.device };
        put('node_disk_reads_completed_total', d.readsCompleted, l);
        put('node_disk_read_bytes_total', d.readBytes, l);
        put('node_disk_read_time_seconds_total', d.readSeconds, l);
        put('node_disk_writes_completed_total', d.writesCompleted, l);
        put('node_disk_written_bytes_total', d.writtenBytes, l);
        put('node_disk_write_time_seconds_total', d.writeSeconds, l);
        put('node_disk_io_now', d.ioNow, l);
        put('node_disk_io_time_seconds_total', d.ioSeconds, l);
      }
    });
    await this.filesystems(put);
    return writes;
  }

  private async filesystems(put: (name: string, value: number, extra: Record<string, string>) => void): Promise<void> {
    let mounts: ReturnType<typeof parseMounts> = [];
    try {
      mounts = parseMounts(await readFile(`${this.proc}/self/mounts`, 'utf8'));
    } catch {
      // Without /proc the mountpoint is the path itself and device/fstype are unknown.
    }
    const done = new Set<string>();
    for (const path of this.paths) {
      try {
        const real = await realpath(path);
        const m = mountFor(real, mounts);
        const mountpoint = m?.mountpoint ?? real;
        if (done.has(mountpoint)) continue;
        done.add(mountpoint);
        const s = await statfs(mountpoint);
        const l = { mountpoint, device: m?.device ?? '', fstype: m?.fstype ?? '' };
        put('node_filesystem_size_bytes', s.blocks * s.bsize, l);
        put('node_filesystem_free_bytes', s.bfree * s.bsize, l);
        put('node_filesystem_avail_bytes', s.bavail * s.bsize, l);
        put('node_filesystem_files', s.files, l);
        put('node_filesystem_files_free', s.ffree, l);
      } catch (e) {
        this.warnOnce(`statfs:${path}`, `host collector: cannot stat the file system of ${path}: ${(e as Error).message}`);
      }
    }
  }

  private async source(file: string, key: string, use: (text: string) => void): Promise<void> {
    try {
      use(await readFile(`${this.proc}/${key}`, 'utf8'));
    } catch (e) {
      this.warnOnce(key, `host collector: cannot read ${file}, skipping it: ${(e as Error).message}`);
    }
  }

  private warnOnce(key: string, msg: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.opts.logger.warn(msg);
  }
}
