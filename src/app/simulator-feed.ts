import type { FleetSimulator } from '../simulate/index.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import type { SeriesWrite } from '../store/types.js';

/**
 * Drives a FleetSimulator into the ingest pipeline on a simulated clock that runs
 * `speed` times faster than real time. Each pump writes every tick that fell due
 * since the last one, batched per series, exactly as a remote-write client would.
 */
export class SimulatorFeed {
  private simNow: number;
  private nextTick: number;
  private realStart = 0;
  private simStart: number;
  private timer: NodeJS.Timeout | undefined;
  private written = 0;
  private readonly batchTimes: Float64Array;
  private readonly batchValues: Float64Array[];

  constructor(
    private readonly sim: FleetSimulator,
    private readonly pipeline: IngestPipeline,
    private readonly speed: number,
    /** Most ticks written per pump, so a slow machine falls behind gracefully instead of stalling. */
    private readonly maxTicksPerPump = 256,
  ) {
    this.simStart = sim.startTime;
    this.simNow = sim.startTime;
    this.nextTick = sim.startTime;
    this.batchTimes = new Float64Array(maxTicksPerPump);
    this.batchValues = sim.seriesList().map(() => new Float64Array(maxTicksPerPump));
  }

  get simulatedTime(): number {
    return this.simNow;
  }

  get samplesWritten(): number {
    return this.written;
  }

  /** Runs the clock from the next due tick at `speed`x real time. */
  start(pumpEveryMs = 200): void {
    this.realStart = Date.now();
    this.simStart = this.nextTick;
    this.pump();
    this.timer = setInterval(() => this.pump(), pumpEveryMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Writes every tick due up to the simulated clock; returns samples written. */
  pump(): number {
    return this.pumpUntil(this.simStart + (Date.now() - this.realStart) * this.speed);
  }

  /** Writes due ticks up to `target` (at most maxTicksPerPump of them); returns samples written. Backfills loop on it. */
  pumpUntil(target: number): number {
    let n = 0;
    while (this.nextTick <= target && n < this.maxTicksPerPump) {
      const values = this.sim.tick(this.nextTick);
      this.batchTimes[n] = this.nextTick;
      for (let s = 0; s < values.length; s++) this.batchValues[s]![n] = values[s]!;
      n++;
      this.nextTick += this.sim.intervalMs;
    }
    if (n === 0) return 0;
    const labels = this.sim.seriesList();
    const writes: SeriesWrite[] = labels.map((l, s) => ({
      labels: l,
      timestamps: this.batchTimes.subarray(0, n),
      values: this.batchValues[s]!.subarray(0, n),
    }));
    const r = this.pipeline.write(writes, 'simulator');
    this.written += r.accepted;
    this.simNow = this.nextTick - this.sim.intervalMs;
    return r.accepted;
  }
}
