import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.ts';
import { apiSchemas } from './api-schemas.ts';
import { checkAccess, getContactView, getTimeline } from '../app/contacts/contact-views.ts';
import { listDeliveries, getDelivery, type DeliveryStatus } from '../adapters/store/deliveries.ts';
import { replayDelivery } from '../app/ledger/replay-delivery.ts';
import { listProblems, retryProblemJobs } from '../app/crm/problems.ts';
import { listDunningCaseViews } from '../app/dunning/list-dunning-cases.ts';
import {
  addWebhookEndpoint,
  listWebhookEndpointViews,
  removeWebhookEndpoint,
} from '../app/webhooks/webhook-endpoints.ts';
import { listRecentDeliveries } from '../adapters/store/webhook-deliveries.ts';
import { registerTeamApiRoutes } from './team-api-routes.ts';

const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['applied', 'ignored', 'failed', 'rejected'];

/** The JSON API (mounted under /api, behind the admin token). */
export function registerApiRoutes(api: FastifyInstance, ctx: AppContext): void {
  registerTeamApiRoutes(api, ctx);
  api.get<{ Params: { email: string } }>('/contacts/:email', { schema: apiSchemas.contact }, async (request, reply) => {
    const view = await getContactView(ctx, request.params.email);
    return (
      view ?? reply.status(404).send({ error: 'not_found', message: `No contact with email ${request.params.email}` })
    );
  });

  api.get<{ Params: { email: string } }>(
    '/contacts/:email/timeline',
    { schema: apiSchemas.timeline },
    async (request, reply) => {
      const timeline = await getTimeline(ctx, request.params.email);
      return timeline
        ? { email: request.params.email.trim().toLowerCase(), timeline }
        : reply.status(404).send({ error: 'not_found', message: `No contact with email ${request.params.email}` });
    },
  );

  api.get<{ Querystring: { email?: string; offering?: string } }>(
    '/access',
    { schema: apiSchemas.access },
    async (request, reply) => {
      const { email, offering } = request.query;
      if (!email || !offering)
        return reply.status(400).send({
          error: 'invalid_request',
          message: 'Pass both ?email= and ?offering= (an offering id from the configuration).',
        });
      const answer = await checkAccess(ctx, email, offering);
      return (
        answer ??
        reply.status(404).send({
          error: 'not_found',
          message: `No offering "${offering}" in the configuration; known: ${[...ctx.rules.offerings.keys()].join(', ')}`,
        })
      );
    },
  );

  api.get<{ Querystring: { state?: string; limit?: string } }>(
    '/dunning',
    { schema: apiSchemas.dunning },
    async (request, reply) => {
      const { state = 'open', limit } = request.query;
      if (state !== 'open' && state !== 'closed')
        return reply.status(400).send({ error: 'invalid_request', message: 'state must be open or closed' });
      return {
        state,
        cases: await listDunningCaseViews(ctx, { state, limit: Math.min(Math.max(Number(limit) || 100, 1), 500) }),
      };
    },
  );

  api.get<{ Querystring: { status?: string; limit?: string; before?: string } }>(
    '/deliveries',
    { schema: apiSchemas.deliveries },
    async (request, reply) => {
      const { status, limit, before } = request.query;
      if (status !== undefined && !DELIVERY_STATUSES.includes(status as DeliveryStatus)) {
        return reply
          .status(400)
          .send({ error: 'invalid_request', message: `status must be one of ${DELIVERY_STATUSES.join(', ')}` });
      }
      const deliveries = await listDeliveries(ctx.pool, {
        status: status as DeliveryStatus | undefined,
        limit: Math.min(Math.max(Number(limit) || 50, 1), 500),
        beforeId: before ? Number(before) || undefined : undefined,
      });
      return { deliveries: deliveries.map(({ body: _body, ...summary }) => summary) };
    },
  );

  api.get<{ Params: { id: string } }>('/deliveries/:id', { schema: apiSchemas.delivery }, async (request, reply) => {
    const delivery = await getDelivery(ctx.pool, Number(request.params.id) || 0);
    return delivery ?? reply.status(404).send({ error: 'not_found', message: `No delivery ${request.params.id}` });
  });

  api.post<{ Params: { id: string } }>(
    '/deliveries/:id/replay',
    { schema: apiSchemas.replay },
    async (request, reply) => {
      const outcome = await replayDelivery(ctx, Number(request.params.id) || 0);
      return outcome ?? reply.status(404).send({ error: 'not_found', message: `No delivery ${request.params.id}` });
    },
  );

  api.get('/webhooks/endpoints', { schema: apiSchemas.webhookEndpoints }, async () => ({
    endpoints: await listWebhookEndpointViews(ctx),
  }));

  api.post<{ Body: { url?: unknown; name?: unknown; events?: unknown } | null }>(
    '/webhooks/endpoints',
    { schema: apiSchemas.addWebhookEndpoint },
    async (request, reply) => {
      const { url, name, events } = request.body ?? {};
      const eventList =
        events === undefined || events === 'all'
          ? 'all'
          : Array.isArray(events) && events.every((type) => typeof type === 'string')
            ? (events as string[])
            : null;
      if (typeof url !== 'string' || (name !== undefined && typeof name !== 'string') || eventList === null) {
        return reply.status(400).send({
          error: 'invalid_request',
          message: 'Send JSON { "url": "https://…", "name"?: "…", "events"?: ["access.granted", …] | "all" }.',
        });
      }
      const added = await addWebhookEndpoint(ctx, { url, name, events: eventList });
      if (added.error !== null) return reply.status(400).send({ error: 'refused', message: added.error });
      // The secret is shown here once; only its endpoint can use it afterwards.
      return reply.status(201).send({ endpoint: added.endpoint, secret: added.secret });
    },
  );

  api.delete<{ Params: { id: string } }>(
    '/webhooks/endpoints/:id',
    { schema: apiSchemas.removeWebhookEndpoint },
    async (request, reply) => {
      const removed = await removeWebhookEndpoint(ctx, Number(request.params.id) || 0);
      return removed
        ? reply.status(204).send()
        : reply.status(404).send({
            error: 'not_found',
            message: `No endpoint ${request.params.id} added through the console or API (configuration endpoints are removed from the file)`,
          });
    },
  );

  api.get<{ Querystring: { limit?: string; endpoint?: string } }>(
    '/webhooks/deliveries',
    { schema: apiSchemas.webhookDeliveries },
    async (request) => ({
      deliveries: await listRecentDeliveries(ctx.pool, {
        limit: Math.min(Math.max(Number(request.query.limit) || 50, 1), 500),
        endpointId: Number(request.query.endpoint) || undefined,
      }),
    }),
  );

  api.get('/problems', { schema: apiSchemas.problems }, async () => listProblems(ctx));

  api.post<{ Params: { id: string } }>('/jobs/:id/retry', { schema: apiSchemas.retryJob }, async (request, reply) => {
    const which = request.params.id === 'all' ? 'all' : Number(request.params.id);
    if (which !== 'all' && !Number.isInteger(which))
      return reply
        .status(400)
        .send({ error: 'invalid_request', message: 'Pass a job id from GET /api/problems, or "all".' });
    const requeued = await retryProblemJobs(ctx, which);
    if (which !== 'all' && requeued.length === 0)
      return reply.status(404).send({ error: 'not_found', message: `No dead-lettered job ${request.params.id}` });
    return { requeued };
  });
}
