/**
 * Parsers for the Linux /proc files the host collector reads. Each takes the
 * file's text and returns plain numbers, so they are testable without Linux.
 */

/** Kernel clock ticks per second for /proc/stat (USER_HZ; 100 on every mainstream Linux architecture). */
export const USER_HZ = 100;

export const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
export type CpuMode = (typeof CPU_MODES)[number];

export interface CpuTimes {
  /** "0", "1", ... */
  cpu: string;
  /** Seconds per mode. guest/guest_nice are already included in user/nice by the kernel. */
  seconds: Record<CpuMode, number>;
}

export interface ProcStat {
  /** The aggregate `cpu` line. */
  total: CpuTimes;
  cpus: CpuTimes[];
  bootTime?: number;
  contextSwitches?: number;
  forks?: number;
}

export function parseProcStat(text: string): ProcStat {
  const cpus: CpuTimes[] = [];
  let total: CpuTimes | undefined;
  const out: Partial<ProcStat> = {};
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const key = f[0];
    if (!key) continue;
    if (key.startsWith('cpu')) {
      const seconds = {} as Record<CpuMode, number>;
      CPU_MODES.forEach((m, i) => (seconds[m] = Number(f[i + 1] ?? 0) / USER_HZ));
      const times = { cpu: key.slice(3), seconds };
      if (key === 'cpu') total = times;
      else cpus.push(times);
    } else if (key === 'btime') out.bootTime = Number(f[1]);
    else if (key === 'ctxt') out.contextSwitches = Number(f[1]);
    else if (key === 'processes') out.forks = Number(f[1]);
  }
  if (!total) throw new Error('/proc/stat: no aggregate "cpu" line');
  return { ...out, total, cpus };
}

/** /proc/meminfo as node_exporter names it: `Active(anon)` -> `Active_anon`; values in bytes for kB lines. */
export function parseMeminfo(text: string): Array<{ name: string; value: number; bytes: boolean }> {
  const out: Array<{ name: string; value: number; bytes: boolean }> = [];
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(\d+)(?:\s+(kB))?/.exec(line.trim());
    if (!m) continue;
    const name = m[1]!.replace(/\((.*)\)/, '_$1').replace(/[^a-zA-Z0-9_]/g, '_');
    const bytes = m[3] === 'kB';
    out.push({ name, value: Number(m[2]) * (bytes ? 1024 : 1), bytes });
  }
  return out;
}

export interface LoadAvg {
  load1: number;
  load5: number;
  load15: number;
}

export function parseLoadavg(text: string): LoadAvg {
  const f = text.trim().split(/\s+/).map(Number);
  if (f.length < 3 || f.slice(0, 3).some((x) => !Number.isFinite(x))) throw new Error(`/proc/loadavg: unexpected content ${JSON.stringify(text.slice(0, 60))}`);
  return { load1: f[0]!, load5: f[1]!, load15: f[2]! };
}

export interface NetDevStats {
  device: string;
  receiveBytes: number;
  receivePackets: number;
  receiveErrs: number;
  receiveDrop: number;
  transmitBytes: number;
  transmitPackets: number;
  transmitErrs: number;
  transmitDrop: number;
}

export function parseNetDev(text: string): NetDevStats[] {
  const out: NetDevStats[] = [];
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i < 0 || line.includes('|')) continue;
    const device = line.slice(0, i).trim();
    const f = line.slice(i + 1).trim().split(/\s+/).map(Number);
    if (f.length < 16) continue;
    out.push({
      device,
      receiveBytes: f[0]!,
      receivePackets: f[1]!,
      receiveErrs: f[2]!,
      receiveDrop: f[3]!,
      transmitBytes: f[8]!,
      transmitPackets: f[9]!,
      transmitErrs: f[10]!,
      transmitDrop: f[11]!,
    });
  }
  return out;
}

export interface DiskStats {
  device: string;
  readsCompleted: number;
  readBytes: number;
  readSeconds: number;
  writesCompleted: number;
  writtenBytes: number;
  writeSeconds: number;
  ioNow: number;
  ioSeconds: number;
}

/** Whole disks only, as node_exporter's default filter: no partitions, loop, ram or floppy devices. */
export const DISK_IGNORE_RE = /^(z?ram|loop|fd|(h|s|v|xv)d[a-z]+|nvme\d+n\d+p|mmcblk\d+p)\d+$/;

export function parseDiskstats(text: string): DiskStats[] {
  const out: DiskStats[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14) continue;
    const device = f[2]!;
    if (DISK_IGNORE_RE.test(device)) continue;
    const n = f.map(Number);
    // Sectors are always 512 bytes in /proc/diskstats, whatever the device's sector size.
    out.push({
      device,
      readsCompleted: n[3]!,
      readBytes: n[5]! * 512,
      readSeconds: n[6]! / 1000,
      writesCompleted: n[7]!,
      writtenBytes: n[9]! * 512,
      writeSeconds: n[10]! / 1000,
      ioNow: n[11]!,
      ioSeconds: n[12]! / 1000,
    });
  }
  return out;
}

export interface MountEntry {
  device: string;
  mountpoint: string;
  fstype: string;
}

/** /proc/self/mounts; octal escapes (`\040` for a space) decoded. */
export function parseMounts(text: string): MountEntry[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length < 3) continue;
    out.push({ device: unescape(f[0]!), mountpoint: unescape(f[1]!), fstype: f[2]! });
  }
  return out;
}

/** The mount that holds `path` (longest mountpoint prefix; later mounts shadow earlier ones). */
export function mountFor(path: string, mounts: readonly MountEntry[]): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const m of mounts) {
    const mp = m.mountpoint;
    const inside = mp === '/' || path === mp || path.startsWith(mp.endsWith('/') ? mp : mp + '/');
    if (inside && (!best || mp.length >= best.mountpoint.length)) best = m;
  }
  return best;
}
