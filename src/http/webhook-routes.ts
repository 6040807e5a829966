import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.ts';
import { receiveThriveCartDelivery, type BodyEncoding } from '../app/intake/receive-thrivecart.ts';
import { deliveriesReceived, deliveryApplySeconds } from '../adapters/metrics/metrics.ts';

/** Real ThriveCart bodies are a few kilobytes; anything near this limit is not a checkout. */
export const WEBHOOK_BODY_LIMIT = 64 * 1024;

/**
 * ThriveCart intake. Bodies are taken as raw text so the source adapter parses them with its own
 * limits; only the two encodings ThriveCart sends are accepted (others get 415).
 */
export function registerWebhookRoutes(server: FastifyInstance, ctx: AppContext): void {
  server.removeAllContentTypeParsers();
  server.addContentTypeParser(
    ['application/x-www-form-urlencoded', 'application/json'],
    { parseAs: 'string', bodyLimit: WEBHOOK_BODY_LIMIT },
    (_request, body, done) => done(null, body),
  );

  // ThriveCart checks the URL with HEAD (and some tools with GET) before saving it.
  server.get('/webhooks/thrivecart', async () => ({
    status: 'ok',
    message: 'Handoff is ready to receive ThriveCart webhooks at this URL (POST).',
  }));

  server.post<{ Body: string }>('/webhooks/thrivecart', async (request, reply) => {
    const encoding: BodyEncoding = (request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')
      ? 'json'
      : 'form';
    const stopTimer = deliveryApplySeconds.startTimer();
    const result = await receiveThriveCartDelivery(ctx, typeof request.body === 'string' ? request.body : '', encoding);
    stopTimer();
    deliveriesReceived.inc({
      event: result.eventName ?? 'unknown',
      status: 'status' in result.body ? result.body.status : result.body.error,
    });
    return reply.status(result.httpStatus).send(result.body);
  });
}
