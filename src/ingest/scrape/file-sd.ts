import { type FSWatcher, watch } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { targetSchema } from '../../config/sections/scrape.js';

/** A target group as Prometheus's file_sd files list them. */
export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
  /** Where the group came from, for logs. */
  source: string;
}

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Parses one file_sd file: JSON or YAML, a list of `{targets: [host:port], labels: {..}}`.
 * Throws an Error naming the file and the entry on anything malformed.
 */
export function parseFileSd(text: string, file: string): TargetGroup[] {
  let data: unknown;
  try {
    data = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`, { cause: e });
  }
  if (data === null || data === undefined) return [];
  if (!Array.isArray(data)) throw new Error(`${file}: expected a list of target groups ({targets: [...], labels: {...}})`);
  return data.map((g: unknown, i): TargetGroup => {
    const where = `${file}: [${i}]`;
    if (typeof g !== 'object' || g === null || Array.isArray(g)) throw new Error(`${where}: expected a mapping with "targets" and optional "labels"`);
    const { targets, labels, ...rest } = g as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length) throw new Error(`${where}: unknown key "${unknown[0]}" (expected targets, labels)`);
    if (!Array.isArray(targets)) throw new Error(`${where}.targets: expected a list of host:port`);
    targets.forEach((t, j) => {
      if (typeof t !== 'string' || !targetSchema.safeParse(t).success) throw new Error(`${where}.targets[${j}]: expected host:port, got ${JSON.stringify(t)}`);
    });
    const out: Record<string, string> = {};
    if (labels !== undefined && labels !== null) {
      if (typeof labels !== 'object' || Array.isArray(labels)) throw new Error(`${where}.labels: expected a mapping of label names to values`);
      for (const [k, v] of Object.entries(labels)) {
        if (!LABEL_NAME_RE.test(k)) throw new Error(`${where}.labels: invalid label name ${JSON.stringify(k)}`);
        if (typeof v !== 'string') throw new Error(`${where}.labels.${k}: label values must be strings`);
        if (!k.startsWith('__')) out[k] = v; // __meta_* etc. would be dropped by relabelling in Prometheus
      }
    }
    return { targets: targets as string[], labels: out, source: file };
  });
}

/** Paths matching a pattern whose last segment may contain `*` and `?` (as Prometheus allows). */
export async function expandFilePattern(pattern: string): Promise<string[]> {
  const base = basename(pattern);
  if (!/[*?[]/.test(base)) return [pattern];
  const dir = dirname(pattern);
  const re = new RegExp('^' + base.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => re.test(n))
    .sort()
    .map((n) => join(dir, n));
}

/**
 * One `file_sd_configs` entry: reads its files now, on every change seen by
 * fs.watch, and every refresh_interval (watching is best-effort on some file
 * systems; the interval is the backstop). A file that fails to parse keeps its
 * last good groups, as in Prometheus, and the error is logged.
 */
export class FileSd {
  private readonly groupsByFile = new Map<string, TargetGroup[]>();
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private watchers: FSWatcher[] = [];
  private refreshing: Promise<void> | undefined;
  private again = false;
  private lastSignature = '';
  private stopped = false;

  constructor(
    private readonly files: readonly string[],
    private readonly refreshIntervalMs: number,
    private readonly onChange: () => void,
    private readonly logger: Logger,
  ) {}

  groups(): TargetGroup[] {
    return [...this.groupsByFile.values()].flat();
  }

  async start(): Promise<void> {
    await this.refresh();
    if (this.stopped) return;
    this.timer = setInterval(() => void this.refresh(), this.refreshIntervalMs);
    for (const dir of new Set(this.files.map((f) => dirname(f)))) {
      try {
        const w = watch(dir, () => this.scheduleRefresh());
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch {
        // The directory may not exist yet; the refresh interval will pick files up.
      }
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  private scheduleRefresh(): void {
    if (this.stopped) return;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.refresh(), 100);
  }

  /** Re-reads every file; calls onChange when the resulting groups differ. */
  async refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        await this.readAll();
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async readAll(): Promise<void> {
    const seen = new Set<string>();
    for (const pattern of this.files) {
      for (const file of await expandFilePattern(pattern)) {
        seen.add(file);
        try {
          const text = await readFile(file, 'utf8');
          this.groupsByFile.set(file, parseFileSd(text, file));
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') seen.delete(file);
          else this.logger.error({ file, err: (e as Error).message }, 'file_sd: cannot read target file (keeping its previous targets)');
        }
      }
    }
    for (const file of [...this.groupsByFile.keys()]) if (!seen.has(file)) this.groupsByFile.delete(file);
    const signature = JSON.stringify([...this.groupsByFile.entries()].sort());
    if (signature !== this.lastSignature) {
      this.lastSignature = signature;
      if (!this.stopped) this.onChange();
    }
  }
}
