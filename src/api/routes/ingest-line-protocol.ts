import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { isVigilError } from '../../core/errors.js';
import type { IngestLimits } from '../../ingest/limits.js';
import type { IngestPipeline } from '../../ingest/pipeline.js';
import { LineProtocolParser } from '../../ingest/line-protocol/byte-parser.js';
import { type Precision, parsePrecision } from '../../ingest/line-protocol/parse.js';
import { DECOMPRESSED_BODY_FACTOR, decodeContentEncoding, refusedCount, refusedDetail } from './ingest-body.js';

/**
 * InfluxDB line protocol: `POST /api/v2/write` (InfluxDB 2 API, `precision` ns|us|ms|s)
 * and `POST /write` (InfluxDB 1 API, `precision` n|u|ms|s|m|h). `org`, `bucket`,
 * `db` and `rp` are accepted and ignored. Bodies may be gzip-compressed (Telegraf's
 * default). Answers 204 when everything was stored; 400 with InfluxDB's error shape
 * (`{"code":"invalid","message":"line 3: ..."}` on v2, `{"error":"..."}` on v1)
 * naming the line for syntax errors (nothing stored), and for a partial write
 * (string fields, samples the store refused: the rest is stored); 413 over the limits.
 */
export function ingestLineProtocolRoutes(app: FastifyInstance, pipeline: IngestPipeline, limits: IngestLimits, maxBodyBytes: number): void {
  const maxDecoded = maxBodyBytes * DECOMPRESSED_BODY_FACTOR;
  // Reads the body's bytes in place; senders repeat their series, whose names it parses and validates once, not per line.
  const parser = new LineProtocolParser();
  for (const [url, api] of [
    ['/api/v2/write', 'v2'],
    ['/write', 'v1'],
  ] as const) {
    void app.register(async (scope) => {
      // Line protocol arrives as text/plain, octet-stream or with no type at all: take every body raw.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
      scope.setErrorHandler((err: FastifyError, req, reply) => {
        const status = isVigilError(err) ? err.statusCode : (err.statusCode ?? 500);
        if (status >= 500) req.log.error({ err, url: req.url }, 'request failed');
        return influxError(reply, api, status, status >= 500 && !isVigilError(err) ? 'internal error' : err.message);
      });
      scope.post(url, async (req, reply) => {
        const q = req.query as Record<string, string | undefined>;
        const precision: Precision = parsePrecision(q.precision, api);
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const ready = pipeline.admission();
        if (ready) await ready;
        const body = decodeContentEncoding(raw, req.headers['content-encoding'] as string | undefined, maxDecoded);
        const parsed = parser.parse(body, precision, limits, Date.now());
        if (parsed.refusedFields > 0) pipeline.rejectBeforeStore('string_field', parsed.refusedFields);
        const result = pipeline.writeBatch(parsed.batch, 'influx_line');
        const refused = refusedCount(result);
        if (parsed.refusedFields > 0 || refused > 0) {
          const parts: string[] = [];
          if (parsed.refusedFields > 0) {
            const more = parsed.refusedFields - parsed.fieldErrors.length;
            parts.push(parsed.fieldErrors.join('; ') + (more > 0 ? `; and ${more} more string fields` : ''));
          }
          if (refused > 0) parts.push(`${refused} samples refused by the store (${refusedDetail(result)})`);
          return influxError(reply, api, 400, `partial write: ${parts.join('; ')}; ${result.accepted} samples stored`);
        }
        return reply.code(204).send();
      });
    });
  }
}

function influxError(reply: FastifyReply, api: 'v1' | 'v2', status: number, message: string): FastifyReply {
  const code = status === 413 ? 'request too large' : status === 429 ? 'too many requests' : status >= 500 ? 'internal error' : status === 415 ? 'unsupported media type' : 'invalid';
  return reply.code(status).send(api === 'v2' ? { code, message } : { error: message });
}
