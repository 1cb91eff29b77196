/**
 * Backfill from Prometheus: reads the history of every series matching a
 * selector through the Prometheus HTTP API and hands it, oldest first, to a
 * sink (the `vigil backfill --prometheus` CLI posts it to Vigil's write API).
 *
 * - `/api/v1/series` lists the matching series first. They are sorted and cut
 *   into groups; each group is read with one `query_range` per time chunk
 *   (the group's exact selectors joined by `or on(...)`), from the oldest chunk to the
 *   newest, so every series reaches the sink in time order and detectors
 *   learn it from the start.
 * - Chunks are sized so that one response holds at most `maxPointsPerSeries`
 *   points per series (Prometheus refuses more than 11,000) and about
 *   `maxPointsPerResponse` points in all (a few MB of JSON).
 * - Evaluation times are aligned to multiples of the step from `startMs`
 *   (`startMs`, `startMs + step`, ... up to `endMs`): values are what
 *   Prometheus returns for `query_range` over that window, i.e. resampled to
 *   the step, with its usual lookback and staleness handling.
 * - Prometheus errors (`status: "error"`, HTTP 4xx/5xx) become a
 *   PrometheusApiError naming the endpoint and Prometheus's message. Network
 *   failures, 5xx, 429 and 503 are retried `retries` times with exponential
 *   backoff; other 4xx (a bad selector) fail at once.
 */

export interface BackfillSeries {
  labels: Record<string, string>;
  /** [milliseconds, value as Prometheus formats it: "1.5", "NaN", "+Inf"]. */
  samples: Array<[number, string]>;
}

export interface BackfillProgress {
  /** 0..1 of the whole backfill (series x time). */
  fraction: number;
  /** Samples handed to the sink so far. */
  samples: number;
  /** Series completed (every chunk of their group read and written). */
  seriesDone: number;
  seriesTotal: number;
}

export interface PrometheusBackfillOptions {
  /** Base URL of Prometheus, e.g. http://prometheus:9090 (a path prefix is kept). */
  prometheusUrl: string;
  /** A series selector: `{job="node"}`, `up`, `node_cpu_seconds_total{mode!="idle"}`. */
  match: string;
  startMs: number;
  endMs: number;
  stepMs: number;
  /** Receives each chunk's series, oldest chunk first; awaited before the next request. */
  sink: (series: BackfillSeries[]) => Promise<void>;
  onProgress?: (p: BackfillProgress) => void;
  /** Called with the series list before any data is read. */
  onSeries?: (series: ReadonlyArray<Record<string, string>>) => void;
  /** Points per series per response; Prometheus's limit is 11,000. Default 10,000. */
  maxPointsPerSeries?: number;
  /** Points per response in all (a point is about 25 bytes of JSON). Default 200,000. */
  maxPointsPerResponse?: number;
  /** Series per query_range request (exact selectors joined by `or`). Default 200. */
  maxSeriesPerQuery?: number;
  /** Retries of a transient failure (network, 5xx, 429). Default 3. */
  retries?: number;
  /** First retry delay in ms, doubled each time. Default 500. */
  retryDelayMs?: number;
  /** Per-request timeout in ms. Default 120,000. */
  timeoutMs?: number;
  /** Extra request headers (e.g. Authorization). */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export interface BackfillSummary {
  series: number;
  samples: number;
  requests: number;
  retries: number;
}

/** Prometheus answered with an error, or could not be reached after the retries. */
export class PrometheusApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

const MAX_PROMETHEUS_POINTS = 11_000;
/** Upper bound on the `query` form field, so a request body stays small. */
const MAX_QUERY_CHARS = 256 * 1024;

export async function backfillFromPrometheus(o: PrometheusBackfillOptions): Promise<BackfillSummary> {
  const stepMs = o.stepMs;
  if (!(stepMs > 0) || !Number.isFinite(stepMs)) throw new RangeError('step must be a positive number of milliseconds');
  if (!(o.endMs >= o.startMs)) throw new RangeError('the start of the backfill is after its end');
  const maxPerSeries = Math.min(o.maxPointsPerSeries ?? 10_000, MAX_PROMETHEUS_POINTS);
  const maxPerResponse = o.maxPointsPerResponse ?? 200_000;
  const maxSeriesPerQuery = o.maxSeriesPerQuery ?? 200;
  const client = new PrometheusClient(o);

  const listed = await client.series(o.match, o.startMs, o.endMs);
  const series = dedupeAndSort(listed);
  o.onSeries?.(series);
  const totalSteps = Math.floor((o.endMs - o.startMs) / stepMs) + 1;
  const summary: BackfillSummary = { series: series.length, samples: 0, requests: 0, retries: 0 };
  if (series.length === 0) return summary;

  const pointsPerChunk = Math.max(1, Math.min(maxPerSeries, totalSteps));
  const groupSize = Math.max(1, Math.min(maxSeriesPerQuery, Math.floor(maxPerResponse / pointsPerChunk)));
  const groups = groupSeries(series, groupSize);
  const chunks = Math.ceil(totalSteps / pointsPerChunk);
  const totalWork = series.length * totalSteps;
  let work = 0;
  let seriesDone = 0;

  for (const group of groups) {
    const wanted = new Set(group.map(labelKey));
    const query = unionQuery(group);
    for (let c = 0; c < chunks; c++) {
      const firstStep = c * pointsPerChunk;
      const steps = Math.min(pointsPerChunk, totalSteps - firstStep);
      const start = o.startMs + firstStep * stepMs;
      const end = start + (steps - 1) * stepMs;
      const result = await client.queryRange(query, start, end, stepMs);
      const out: BackfillSeries[] = [];
      for (const r of result) {
        // An exact selector also matches series with more labels; keep only this group's.
        if (!wanted.has(labelKey(r.metric))) continue;
        const samples: Array<[number, string]> = new Array(r.values.length);
        for (let i = 0; i < r.values.length; i++) {
          const [t, v] = r.values[i]!;
          samples[i] = [Math.round(t * 1000), v];
        }
        if (samples.length) out.push({ labels: r.metric, samples });
      }
      if (out.length) {
        await o.sink(out);
        for (const s of out) summary.samples += s.samples.length;
      }
      work += group.length * steps;
      if (c === chunks - 1) seriesDone += group.length;
      o.onProgress?.({ fraction: totalWork ? work / totalWork : 1, samples: summary.samples, seriesDone, seriesTotal: series.length });
    }
  }
  summary.requests = client.requests;
  summary.retries = client.retried;
  return summary;
}

interface MatrixSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

/** The two Prometheus API calls the backfill needs, with error mapping and retries. */
export class PrometheusClient {
  requests = 0;
  retried = 0;
  private readonly base: string;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly o: Pick<PrometheusBackfillOptions, 'prometheusUrl' | 'retries' | 'retryDelayMs' | 'timeoutMs' | 'headers' | 'fetch' | 'sleep'>) {
    this.base = o.prometheusUrl.replace(/\/+$/, '');
    this.fetchFn = o.fetch ?? fetch;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async series(match: string, startMs: number, endMs: number): Promise<Array<Record<string, string>>> {
    const data = await this.call('/api/v1/series', { 'match[]': match, start: seconds(startMs), end: seconds(endMs) });
    if (!Array.isArray(data)) throw new PrometheusApiError(`${this.base}/api/v1/series: unexpected answer (data is not a list of label sets)`, 200, false);
    return data as Array<Record<string, string>>;
  }

  async queryRange(query: string, startMs: number, endMs: number, stepMs: number): Promise<MatrixSeries[]> {
    const data = (await this.call('/api/v1/query_range', { query, start: seconds(startMs), end: seconds(endMs), step: seconds(stepMs) })) as {
      resultType?: string;
      result?: unknown;
    };
    if (data?.resultType !== 'matrix' || !Array.isArray(data.result))
      throw new PrometheusApiError(`${this.base}/api/v1/query_range: unexpected answer (expected a matrix, got ${JSON.stringify(data?.resultType)})`, 200, false);
    return data.result as MatrixSeries[];
  }

  /** POSTs a form (the selectors of a group can be long) and returns `data`, retrying transient failures. */
  private async call(path: string, form: Record<string, string>): Promise<unknown> {
    const retries = this.o.retries ?? 3;
    let delay = this.o.retryDelayMs ?? 500;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(path, form);
      } catch (e) {
        if (!(e instanceof PrometheusApiError) || !e.transient || attempt >= retries) {
          if (e instanceof PrometheusApiError && e.transient && attempt > 0) e.message += ` (after ${attempt + 1} attempts)`;
          throw e;
        }
        this.retried++;
        await this.sleep(delay);
        delay *= 2;
      }
    }
  }

  private async once(path: string, form: Record<string, string>): Promise<unknown> {
    const url = this.base + path;
    this.requests++;
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...this.o.headers },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 120_000),
      });
    } catch (e) {
      const err = e as Error;
      const why = err.name === 'TimeoutError' ? `no answer within ${(this.o.timeoutMs ?? 120_000) / 1000} s` : ((err.cause as Error | undefined)?.message ?? err.message);
      throw new PrometheusApiError(`cannot reach Prometheus at ${url}: ${why}`, undefined, true);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      throw new PrometheusApiError(`${url}: connection lost while reading the answer: ${(e as Error).message}`, res.status, true);
    }
    let body: { status?: string; data?: unknown; errorType?: string; error?: string } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = undefined;
    }
    const transient = res.status >= 500 || res.status === 429 || body?.errorType === 'timeout' || body?.errorType === 'unavailable';
    if (!res.ok || body?.status !== 'success') {
      const what = body?.error ? `${body.errorType ? `${body.errorType}: ` : ''}${body.error}` : `${res.statusText || 'no JSON answer'}${text ? `: ${clip(text)}` : ''}`;
      const hint = res.status === 404 ? ' (is this the Prometheus base URL?)' : '';
      throw new PrometheusApiError(`Prometheus answered ${res.status} to ${path}: ${what}${hint}`, res.status, transient);
    }
    return body.data;
  }
}

/**
 * The group's exact selectors joined by `or on(<every label name of the group>)`.
 * A plain `or` matches on the labels without the metric name, so
 * `a{cpu="0"} or b{cpu="0"}` would drop `b`; naming every label, `__name__`
 * included, keeps each series apart.
 */
export function unionQuery(group: ReadonlyArray<Record<string, string>>): string {
  const names = new Set<string>(['__name__']);
  for (const l of group) for (const k of Object.keys(l)) if (l[k] !== '') names.add(k);
  const on = ` or on(${[...names].sort().join(',')}) `;
  return group.map(selectorFor).join(on);
}

/** A selector matching exactly the labels given (and any series with more labels; callers filter). */
export function selectorFor(labels: Record<string, string>): string {
  const parts: string[] = [];
  for (const k of Object.keys(labels).sort()) {
    const v = labels[k]!;
    if (v !== '') parts.push(`${k}=${quote(v)}`);
  }
  return `{${parts.join(',')}}`;
}

/** A PromQL double-quoted string (Go escapes; JSON's are a subset PromQL reads). */
function quote(v: string): string {
  return JSON.stringify(v);
}

function labelKey(l: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(l)
      .filter((k) => l[k] !== '')
      .sort()
      .map((k) => [k, l[k]]),
  );
}

function dedupeAndSort(list: Array<Record<string, string>>): Array<Record<string, string>> {
  const byKey = new Map<string, Record<string, string>>();
  for (const l of list) byKey.set(labelKey(l), l);
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, l]) => l);
}

function groupSeries(series: Array<Record<string, string>>, groupSize: number): Array<Array<Record<string, string>>> {
  const groups: Array<Array<Record<string, string>>> = [];
  let cur: Array<Record<string, string>> = [];
  let chars = 0;
  for (const s of series) {
    // The `or on(...)` between selectors grows with the group's label names; 200 is generous.
    const len = selectorFor(s).length + 200;
    if (cur.length && (cur.length >= groupSize || chars + len > MAX_QUERY_CHARS)) {
      groups.push(cur);
      cur = [];
      chars = 0;
    }
    cur.push(s);
    chars += len;
  }
  if (cur.length) groups.push(cur);
  return groups;
}

/** Unix seconds with millisecond precision, without trailing zeros: 1700000000.5, 0. */
export function seconds(ms: number): string {
  const s = (ms / 1000).toFixed(3);
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? one.slice(0, 197) + '...' : one;
}
