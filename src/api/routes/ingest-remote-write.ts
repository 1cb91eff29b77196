import type { FastifyInstance } from 'fastify';
import { VigilError } from '../../core/errors.js';
import type { IngestLimits } from '../../ingest/limits.js';
import type { IngestPipeline } from '../../ingest/pipeline.js';
import { decodeWriteRequest, snappyDecode } from '../../ingest/remote-write/decode.js';
import { DECOMPRESSED_BODY_FACTOR, refusedCount, refusedDetail } from './ingest-body.js';

/**
 * Prometheus remote write 1.0: `POST /api/v1/write`, a snappy-compressed
 * protobuf `prometheus.WriteRequest`. Answers as the spec and Prometheus's own
 * receiver do: 204 when everything was stored; 400 (not retried by senders)
 * for malformed data and for samples the store refused (out of order,
 * duplicate, too old, over the series limit) — the accepted samples of that
 * request are stored all the same; 413 over the request limits; 415 for
 * remote write 2.0 messages (not supported yet). Metric metadata goes to the
 * metadata store; an invalid entry is counted, not answered with an error.
 */
export function ingestRemoteWriteRoutes(app: FastifyInstance, pipeline: IngestPipeline, limits: IngestLimits, maxBodyBytes: number): void {
  const maxDecoded = maxBodyBytes * DECOMPRESSED_BODY_FACTOR;
  // Decompressed bodies reuse one buffer: decoding copies out everything it keeps, synchronously.
  const scratch = { buf: new Uint8Array(1 << 16) };
  void app.register(async (scope) => {
    // Encapsulated: the raw-body parser only applies to the routes of this plugin.
    scope.addContentTypeParser('application/x-protobuf', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.post('/api/v1/write', async (req, reply) => {
      const ct = String(req.headers['content-type'] ?? '');
      const proto = /;\s*proto=([^;\s]+)/i.exec(ct)?.[1];
      if (proto !== undefined && proto !== 'prometheus.WriteRequest')
        throw new VigilError('UNSUPPORTED_MESSAGE', `remote write message ${proto} is not supported; send remote write 1.0 (prometheus.WriteRequest)`, 415);
      const enc = String(req.headers['content-encoding'] ?? 'snappy').trim().toLowerCase();
      if (enc !== 'snappy') throw new VigilError('UNSUPPORTED_ENCODING', `remote write bodies must be snappy-compressed (Content-Encoding: snappy), got ${JSON.stringify(enc)}`, 415);
      const body = req.body as Buffer;
      const ready = pipeline.admission();
      if (ready) await ready;
      // The batch's arrays are reused by the next decode: it is stored and handed on before this handler yields.
      const decoded = decodeWriteRequest(snappyDecode(body, maxDecoded, scratch), limits, true);
      if (decoded.skippedHistograms > 0) pipeline.rejectBeforeStore('unsupported', decoded.skippedHistograms);
      pipeline.writeMetadata(decoded.metadata, 'remote_write');
      const result = pipeline.writeBatch(decoded.batch, 'remote_write');
      const refused = refusedCount(result);
      if (refused > 0) {
        return reply.code(400).send({
          status: 'error',
          errorType: 'bad_data',
          code: result.rejected.series_limit ? 'SERIES_LIMIT' : 'PARTIAL_WRITE',
          error: `${refused} samples refused (${refusedDetail(result)}); ${result.accepted} accepted and stored`,
          accepted: result.accepted,
          rejected: result.rejected,
        });
      }
      return reply.code(204).send();
    });
  });
}
