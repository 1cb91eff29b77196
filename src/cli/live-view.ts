/**
 * A live terminal view for `vigil demo`: redraws one screen in place on a TTY,
 * prints a plain status line otherwise (CI logs, pipes).
 */
export interface LiveSnapshot {
  url: string;
  dir: string;
  simTime: number;
  speed: number;
  samplesPerSec: number;
  totalSamples: number;
  series: number;
  diskBytes: number;
  headBytes: number;
  activeIncidents: Array<{ id: string; kind: string; root: string; startsAt: number }>;
  recentIncidents: Array<{ id: string; kind: string; root: string; startsAt: number; endsAt: number }>;
  anomalyCount: number;
  recentAnomalies: Array<{ t: number; series: string; component: string; direction: string; score: number; severity: string }>;
}

export class LiveView {
  private lastPlain = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    /** Redraw a full screen (a TTY); otherwise print a status line every `plainEveryMs`. */
    private readonly screenMode: boolean,
    private readonly plainEveryMs = 5000,
  ) {}

  render(s: LiveSnapshot): void {
    if (this.screenMode) {
      const width = this.out.columns || 120;
      const text = this.screen(s)
        .split('\n')
        .map((l) => (l.length > width ? l.slice(0, width - 1) + '…' : l))
        .join('\n');
      this.out.write('\x1b[H\x1b[2J' + text);
      return;
    }
    const now = Date.now();
    if (now - this.lastPlain < this.plainEveryMs) return;
    this.lastPlain = now;
    this.out.write(
      `[demo] sim ${iso(s.simTime)} | ${fmtRate(s.samplesPerSec)} samples/s | ${s.totalSamples} samples | ${s.series} series | ` +
        `disk ${fmtBytes(s.diskBytes)} | anomaly events ${s.anomalyCount} | incidents active ${s.activeIncidents.length}` +
        (s.activeIncidents.length ? ` (${s.activeIncidents.map((i) => `${i.kind}@${i.root}`).join(', ')})` : '') +
        '\n',
    );
  }

  private screen(s: LiveSnapshot): string {
    const lines = [
      `Vigil demo — simulated fleet into the real pipeline   (Ctrl-C to stop)`,
      ``,
      `  API            ${s.url}   (try ${s.url}/metrics, ${s.url}/api/v1/anomalies)`,
      `  data dir       ${s.dir}`,
      `  simulated time ${iso(s.simTime)}   (${s.speed}x real time)`,
      ``,
      `  ingest rate    ${fmtRate(s.samplesPerSec)} samples/s`,
      `  samples        ${s.totalSamples.toLocaleString('en-US')}`,
      `  series         ${s.series.toLocaleString('en-US')}`,
      `  store          ${fmtBytes(s.diskBytes)} on disk, ${fmtBytes(s.headBytes)} in memory`,
      ``,
      `  Injected incidents (ground truth)`,
    ];
    if (s.activeIncidents.length === 0 && s.recentIncidents.length === 0) lines.push('    none yet');
    for (const i of s.activeIncidents) lines.push(`    ACTIVE  ${i.kind.padEnd(12)} root ${i.root.padEnd(16)} since ${iso(i.startsAt)}`);
    for (const i of s.recentIncidents.slice(-8)) lines.push(`    ended   ${i.kind.padEnd(12)} root ${i.root.padEnd(16)} ${iso(i.startsAt)} – ${iso(i.endsAt)}`);
    lines.push('', `  Anomalies detected by Vigil: ${s.anomalyCount} events (latest first)`);
    if (s.recentAnomalies.length === 0) lines.push('    none yet');
    for (const a of s.recentAnomalies.slice(-10).reverse())
      lines.push(`    ${iso(a.t)}  ${a.severity.padEnd(6)} score ${a.score.toFixed(2)}  ${a.component.padEnd(9)} ${a.direction.padEnd(5)} ${a.series}`);
    return lines.join('\n') + '\n';
  }
}

function iso(t: number): string {
  return new Date(t).toISOString().replace('T', ' ').slice(0, 19);
}

export function fmtRate(n: number): string {
  return n >= 1e6 ? (n / 1e6).toFixed(2) + 'M' : n >= 1e3 ? (n / 1e3).toFixed(1) + 'k' : n.toFixed(0);
}

export function fmtBytes(n: number): string {
  const u = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${u[i]}`;
}
