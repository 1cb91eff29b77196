import type { FastifyInstance } from 'fastify';

/** Prometheus-style liveness and readiness endpoints. */
export function healthRoutes(app: FastifyInstance, isReady: () => boolean): void {
  app.get('/-/healthy', async (_req, reply) => reply.type('text/plain').send('Vigil is Healthy.\n'));
  app.get('/-/ready', async (_req, reply) => {
    if (isReady()) return reply.type('text/plain').send('Vigil is Ready.\n');
    return reply.code(503).type('text/plain').send('Service Unavailable\n');
  });
}
