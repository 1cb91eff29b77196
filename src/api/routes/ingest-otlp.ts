import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isVigilError } from '../../core/errors.js';
import type { IngestLimits } from '../../ingest/limits.js';
import type { IngestPipeline } from '../../ingest/pipeline.js';
import { ExportMetricsServiceResponse, RpcStatus } from '../../ingest/otlp/proto.js';
import { DeltaAccumulator, decodeOtlpJson, translateOtlp } from '../../ingest/otlp/translate.js';
import { type OtlpBatchTranslation, OtlpWireDecoder } from '../../ingest/otlp/wire-decoder.js';
import { FrozenLabels } from '../../ingest/frozen-labels.js';
import { batchFromWrites } from '../../store/sample-batch.js';
import { DECOMPRESSED_BODY_FACTOR, decodeContentEncoding, refusedCount, refusedDetail } from './ingest-body.js';

/**
 * OTLP/HTTP metrics: `POST /v1/metrics` with `application/x-protobuf` or
 * `application/json` (optionally gzip). Answers as the OTLP/HTTP spec says, in the
 * request's encoding: 200 with an ExportMetricsServiceResponse — carrying
 * `partial_success {rejected_data_points, error_message}` when some data points or
 * samples were refused (the rest is stored); 400 with a google.rpc.Status for a
 * malformed request (nothing stored); 413 over the limits; 415 for other content types.
 */
export function ingestOtlpRoutes(app: FastifyInstance, pipeline: IngestPipeline, limits: IngestLimits, maxBodyBytes: number): void {
  const maxDecoded = maxBodyBytes * DECOMPRESSED_BODY_FACTOR;
  const acc = new DeltaAccumulator();
  // One frozen label set per series across requests: the store and detectors find it by identity.
  const frozen = new FrozenLabels();
  // Protobuf bodies take the streaming decoder (no object tree per request); JSON goes through protobufjs.
  const wire = new OtlpWireDecoder(limits, acc, frozen);
  const translateJson = (text: string): OtlpBatchTranslation => {
    const tr = translateOtlp(decodeOtlpJson(text), limits, acc, Date.now(), frozen);
    return { ...tr, batch: batchFromWrites(tr.writes) };
  };
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(['application/x-protobuf', 'application/json'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.setErrorHandler((err: FastifyError, req, reply) => {
      const status = isVigilError(err) ? err.statusCode : (err.statusCode ?? 500);
      if (status >= 500) req.log.error({ err, url: req.url }, 'request failed');
      const message = status >= 500 && !isVigilError(err) ? 'internal error' : err.message;
      return sendStatus(req, reply, status, message);
    });
    scope.post('/v1/metrics', async (req, reply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const ready = pipeline.admission();
      if (ready) await ready;
      const body = decodeContentEncoding(raw, req.headers['content-encoding'] as string | undefined, maxDecoded);
      const tr = isJson(req) ? translateJson(body.toString('utf8')) : wire.decode(body, Date.now());
      if (tr.rejectedDataPoints > 0) pipeline.rejectBeforeStore('invalid', tr.rejectedDataPoints);
      pipeline.writeMetadata(tr.metadata, 'otlp');
      const result = pipeline.writeBatch(tr.batch, 'otlp');
      const refused = refusedCount(result);
      const errors = [...tr.errors];
      if (refused > 0) errors.push(`${refused} samples refused by the store (${refusedDetail(result)})`);
      const rejected = tr.rejectedDataPoints + refused;
      const response = rejected > 0 || errors.length > 0 ? { partialSuccess: { rejectedDataPoints: rejected, errorMessage: errors.join('; ') } } : {};
      if (isJson(req)) {
        const json = response.partialSuccess
          ? { partialSuccess: { rejectedDataPoints: String(response.partialSuccess.rejectedDataPoints), errorMessage: response.partialSuccess.errorMessage } }
          : {};
        return reply.code(200).type('application/json').send(json);
      }
      const bytes = ExportMetricsServiceResponse.encode(ExportMetricsServiceResponse.fromObject(response)).finish();
      return reply.code(200).type('application/x-protobuf').send(Buffer.from(bytes));
    });
  });
}

function isJson(req: FastifyRequest): boolean {
  return /^application\/json\b/i.test(String(req.headers['content-type'] ?? ''));
}

/** google.rpc.Status codes: 3 INVALID_ARGUMENT, 8 RESOURCE_EXHAUSTED, 13 INTERNAL. */
function sendStatus(req: FastifyRequest, reply: FastifyReply, status: number, message: string): FastifyReply {
  const code = status === 413 || status === 429 ? 8 : status >= 500 ? 13 : 3;
  if (isJson(req) || !/x-protobuf/i.test(String(req.headers['content-type'] ?? ''))) return reply.code(status).type('application/json').send({ code, message });
  const bytes = RpcStatus.encode(RpcStatus.fromObject({ code, message })).finish();
  return reply.code(status).type('application/x-protobuf').send(Buffer.from(bytes));
}

