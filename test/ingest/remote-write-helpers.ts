import snappy from 'snappyjs';
import { mulberry32 } from '../../src/core/mulberry32.js';

/** A tiny protobuf writer for building test payloads (independent of the decoder under test). */
export class PbWriter {
  private readonly out: number[] = [];

  varint(n: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(n));
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) b |= 0x80;
      this.out.push(b);
    } while (v > 0n);
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint((field << 3) | wireType);
  }

  double(field: number, v: number): this {
    this.tag(field, 1);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.out.push(...b);
    return this;
  }

  /** Raw 8 bytes for field (to write exact NaN payloads). */
  fixed64Bits(field: number, hi: number, lo: number): this {
    this.tag(field, 1);
    const b = new Uint8Array(8);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, lo, true);
    dv.setUint32(4, hi, true);
    this.out.push(...b);
    return this;
  }

  int(field: number, v: number | bigint): this {
    return this.tag(field, 0).varint(v);
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2).varint(b.length);
    this.out.push(...b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  raw(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.out.push(b[i]!);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

export interface TestSeries {
  labels: Record<string, string>;
  samples: Array<[number, number]>;
}

export function encodeWriteRequest(series: TestSeries[]): Uint8Array {
  const w = new PbWriter();
  for (const s of series) {
    const ts = new PbWriter();
    for (const [n, v] of Object.entries(s.labels)) ts.bytes(1, new PbWriter().string(1, n).string(2, v).finish());
    for (const [t, v] of s.samples) ts.bytes(2, new PbWriter().double(1, v).int(2, t).finish());
    w.bytes(1, ts.finish());
  }
  // metadata (field 3): MetricMetadata{type=1, metric_family_name=2, help=4, unit=5}, must be skipped
  w.bytes(3, new PbWriter().int(1, 1).string(2, 'x').string(4, 'help').finish());
  return w.finish();
}

export function snappyCompress(b: Uint8Array): Buffer {
  return Buffer.from(snappy.compress(Buffer.from(b)));
}

export function rng(seed: number): () => number {
  return mulberry32(seed);
}

/** Mutations for fuzzing: bit flips, truncation, byte insertion/deletion, random overwrite. */
export function mutate(src: Uint8Array, r: () => number): Uint8Array {
  const b = Uint8Array.from(src);
  const kind = Math.floor(r() * 5);
  if (b.length === 0) return Uint8Array.from([Math.floor(r() * 256)]);
  const at = Math.floor(r() * b.length);
  switch (kind) {
    case 0: {
      const flips = 1 + Math.floor(r() * 4);
      for (let i = 0; i < flips; i++) {
        const j = Math.floor(r() * b.length);
        b[j] = b[j]! ^ (1 << Math.floor(r() * 8));
      }
      return b;
    }
    case 1:
      return b.subarray(0, at);
    case 2: {
      const ins = Uint8Array.from({ length: 1 + Math.floor(r() * 8) }, () => Math.floor(r() * 256));
      return Uint8Array.from([...b.subarray(0, at), ...ins, ...b.subarray(at)]);
    }
    case 3:
      return Uint8Array.from([...b.subarray(0, at), ...b.subarray(Math.min(b.length, at + 1 + Math.floor(r() * 8)))]);
    default:
      b[at] = Math.floor(r() * 256);
      return b;
  }
}

export interface TestVigil {
  url: string;
  close(): Promise<void>;
  post(path: string, body: Uint8Array | string, headers: Record<string, string>): Promise<{ status: number; text: string; bytes: Uint8Array; type: string }>;
  /** Raw samples of one selector as [ms, value] pairs, by series (labels JSON). */
  read(selector: string, startMs: number, endMs: number): Promise<Array<{ metric: Record<string, string>; values: Array<[number, string]> }>>;
}

/** Starts a real Vigil (HTTP on a free loopback port, store in a temp dir), as test/api/server.test.ts does. */
export async function startTestVigil(extraYaml = ''): Promise<TestVigil> {
  const { join } = await import('node:path');
  const { startVigil } = await import('../../src/app/vigil-app.js');
  const { parseConfig } = await import('../../src/config/load.js');
  const { createLogger } = await import('../../src/api/logger.js');
  const { tempDir } = await import('../helpers/vigil-process.js');
  const dir = tempDir();
  const yaml = `server:\n  listen: 127.0.0.1:0\n  logLevel: silent\nstorage:\n  dir: ${join(dir, 'data')}\n${extraYaml}`;
  const app = await startVigil(parseConfig(yaml, 't.yaml'), createLogger('silent'));
  return {
    url: app.url,
    async close() {
      await app.close();
      const { rmSync } = await import('node:fs');
      rmSync(dir, { recursive: true, force: true });
    },
    async post(path, body, headers) {
      const res = await fetch(app.url + path, { method: 'POST', headers, body: typeof body === 'string' ? body : Buffer.from(body) });
      const bytes = new Uint8Array(await res.arrayBuffer());
      return { status: res.status, text: Buffer.from(bytes).toString('utf8'), bytes, type: res.headers.get('content-type') ?? '' };
    },
    async read(selector, startMs, endMs) {
      const q = new URLSearchParams({ 'match[]': selector, start: String(startMs / 1000), end: String(endMs / 1000) });
      const res = await fetch(`${app.url}/api/v1/samples?${q}`);
      const json = (await res.json()) as { data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> } };
      return json.data.result.map((r) => ({ metric: r.metric, values: r.values.map(([t, v]) => [Math.round(t * 1000), v] as [number, string]) }));
    },
  };
}
