/**
 * OTLP attributes → Prometheus labels, shared by both decoders (JSON through
 * protobufjs, protobuf through wire-decoder.ts). Attributes arrive here in the
 * shape protobufjs' toObject gives them (`{ key, value: { stringValue | intValue | ... } }`,
 * 64-bit integers as decimal strings, bytes as base64), so both paths render
 * values identically; the rules are listed at the top of translate.ts.
 */

export type Obj = Record<string, unknown>;

export function arr<T = Obj>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

/** Resource attributes: `job` and `instance` go on every series, the rest onto target_info. */
export function resourceLabels(attrs: Obj[]): { labels: Record<string, string>; info: Record<string, string> } {
  let service = '';
  let namespace = '';
  let instance = '';
  const rest: Obj[] = [];
  for (const kv of attrs) {
    const key = typeof kv.key === 'string' ? kv.key : '';
    const v = anyValueToString(kv.value as Obj | undefined);
    if (key === 'service.name') service = v;
    else if (key === 'service.namespace') namespace = v;
    else if (key === 'service.instance.id') instance = v;
    else rest.push(kv);
  }
  const labels: Record<string, string> = {};
  if (service !== '') labels.job = namespace !== '' ? `${namespace}/${service}` : service;
  if (instance !== '') labels.instance = instance;
  return { labels, info: attributeLabels(rest) };
}

export function attributeLabels(attrs: Obj[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of attrs) {
    const key = typeof kv.key === 'string' ? kv.key : '';
    if (key === '') continue;
    const name = sanitizeLabelName(key);
    const v = anyValueToString(kv.value as Obj | undefined);
    out[name] = out[name] !== undefined ? `${out[name]};${v}` : v;
  }
  return out;
}

export function anyValueToString(v: Obj | undefined): string {
  if (v === undefined || v === null) return '';
  if (v.stringValue !== undefined) return String(v.stringValue);
  if (v.boolValue !== undefined) return v.boolValue ? 'true' : 'false';
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.doubleValue !== undefined) return String(v.doubleValue);
  if (v.bytesValue !== undefined) return String(v.bytesValue);
  if (v.arrayValue !== undefined) return JSON.stringify(arr((v.arrayValue as Obj).values).map((x) => anyValueToString(x)));
  if (v.kvlistValue !== undefined) {
    const o: Record<string, string> = {};
    for (const kv of arr((v.kvlistValue as Obj).values)) o[String(kv.key ?? '')] = anyValueToString(kv.value as Obj | undefined);
    return JSON.stringify(o);
  }
  return '';
}

export function sanitizeMetricName(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[0-9]/.test(s) ? '_' + s : s;
}

export function sanitizeLabelName(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9_]/g, '_');
  if (/^[0-9]/.test(s)) return 'key_' + s;
  if (s.startsWith('__')) return 'key' + s;
  return s;
}

/** A bucket bound or quantile as label text. */
export function formatLe(b: number): string {
  if (b === Infinity) return '+Inf';
  if (b === -Infinity) return '-Inf';
  return String(b);
}
