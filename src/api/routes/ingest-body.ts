import { gunzipSync } from 'node:zlib';
import { VigilError } from '../../core/errors.js';
import type { AppendResult } from '../../store/types.js';

/**
 * Shared by the ingest protocol routes: request-body decompression with a
 * bound on the decompressed size (a small gzip body cannot balloon in memory),
 * and a one-line summary of what the store refused.
 */
export function decodeContentEncoding(body: Buffer, encoding: string | undefined, maxBytes: number): Buffer {
  const enc = (encoding ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return body;
  if (enc === 'gzip' || enc === 'x-gzip') {
    try {
      return gunzipSync(body, { maxOutputLength: maxBytes });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError)
        throw new VigilError('BODY_TOO_LARGE', `gzip body decompresses to more than ${maxBytes} bytes`, 413);
      throw new VigilError('MALFORMED_GZIP', `malformed gzip body: ${err.message}`, 400);
    }
  }
  throw new VigilError('UNSUPPORTED_ENCODING', `unsupported Content-Encoding ${JSON.stringify(encoding)} (supported: gzip, identity)`, 415);
}

export function refusedCount(result: AppendResult): number {
  let n = 0;
  for (const k in result.rejected) n += result.rejected[k as keyof AppendResult['rejected']] ?? 0;
  return n;
}

export function refusedDetail(result: AppendResult): string {
  const detail = Object.entries(result.rejected)
    .filter(([, v]) => (v ?? 0) > 0)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  // At the cardinality cap the sender needs to know where the series come from.
  return result.rejected.series_limit ? `${detail}; the store is at limits.maxSeries: GET /api/v1/status/tsdb lists the metrics with the most series` : detail;
}

/** Decompressed bodies may be this many times `server.maxBodyBytes` (compressed ingest payloads shrink 5-10x). */
export const DECOMPRESSED_BODY_FACTOR = 8;
