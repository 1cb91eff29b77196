import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubernetesConnection } from './kubernetes-cluster.js';

/**
 * One request to the Kubernetes API server with node:http(s), so a private CA,
 * client certificates and insecure-skip-tls-verify work without extra
 * dependencies. JSON in, JSON out; the body is capped (the objects read here
 * are small; a huge answer is an error, not a memory problem).
 */
export interface KubernetesRequest {
  method: 'GET' | 'PATCH';
  path: string;
  /** JSON body and its patch content type (`application/merge-patch+json`, `application/strategic-merge-patch+json`). */
  patch?: { contentType: string; body: unknown };
  signal: AbortSignal;
}

export interface KubernetesAnswer {
  status: number;
  /** Parsed JSON body, or undefined when it was not JSON. */
  json: unknown;
  text: string;
}

const MAX_BODY = 4 * 1024 * 1024;

export function kubernetesRequest(conn: KubernetesConnection, r: KubernetesRequest): Promise<KubernetesAnswer> {
  const url = new URL(conn.server + r.path);
  const body = r.patch ? JSON.stringify(r.patch.body) : undefined;
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'Vigil-Remediate/1' };
  if (conn.token) headers.authorization = `Bearer ${conn.token}`;
  if (r.patch && body !== undefined) {
    headers['content-type'] = r.patch.contentType;
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const https = url.protocol === 'https:';
  if (!https && url.protocol !== 'http:') return Promise.reject(new RangeError(`kubernetes: server must be an https:// (or http://) URL, got ${url.protocol}`));
  const options = {
    method: r.method,
    headers,
    signal: r.signal,
    ...(https ? { ca: conn.ca, cert: conn.cert, key: conn.key, rejectUnauthorized: !conn.insecureSkipTlsVerify } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) return req.destroy(new RangeError(`kubernetes: response larger than ${MAX_BODY} bytes`));
        chunks.push(c);
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json, text });
      });
      res.on('error', reject);
      res.on('close', () => {
        if (!res.complete) reject(new Error('connection closed before the response ended'));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The reason a non-2xx answer gives: a Kubernetes Status object's message
 * (`deployments.apps "checkout" not found`), else the start of the body.
 */
export function kubernetesFailure(a: KubernetesAnswer): string {
  const s = a.json as { kind?: string; reason?: string; message?: string } | undefined;
  if (s && s.kind === 'Status' && s.message) return `HTTP ${a.status}${s.reason ? ` ${s.reason}` : ''}: ${s.message}`;
  const snippet = a.text.replace(/\s+/g, ' ').trim().slice(0, 300);
  return `HTTP ${a.status}${snippet ? `: ${snippet}` : ''}`;
}
