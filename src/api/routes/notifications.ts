import type { FastifyInstance } from 'fastify';
import type { Outbox, OutboxState } from '../../notify/index.js';
import { VigilError } from '../../core/errors.js';

const STATES = ['queued', 'sending', 'delivered', 'failed'];

/**
 * Delivery status of notifications: `GET /api/v1/notifications?state=&channel=&limit=`
 * lists outbox records (never payload secrets), with per-channel counts.
 */
export function notificationRoutes(app: FastifyInstance, outbox: Outbox | undefined): void {
  app.get<{ Querystring: { state?: string; channel?: string; limit?: string } }>('/api/v1/notifications', async (req) => {
    if (!outbox) return { status: 'success', data: { channels: {}, notifications: [] } };
    const { state, channel } = req.query;
    if (state !== undefined && !STATES.includes(state)) throw new VigilError('BAD_PARAM', `state: expected one of ${STATES.join(', ')}`, 400);
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new VigilError('BAD_PARAM', 'limit: expected an integer from 1 to 10000', 400);
    return {
      status: 'success',
      data: { channels: outbox.stats().channels, notifications: outbox.list({ state: state as OutboxState | undefined, channel, limit }) },
    };
  });
}
