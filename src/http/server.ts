import { isIPv4, type Socket } from 'node:net';
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.ts';
import { scrapeMetrics } from '../app/health/scrape-metrics.ts';
import { pingDatabase } from '../adapters/store/database.ts';
import { registerApiRoutes } from './api-routes.ts';
import { registerConsole } from './console/console-plugin.ts';
import { bearerTokenChecker } from './bearer-token.ts';
import { DEFAULT_HTTP_SETTINGS, trustedProxyList, type HttpSettings } from './http-settings.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { registerTeamPage } from './team-page/team-page-routes.ts';
import { registerWebhookRoutes } from './webhook-routes.ts';

export interface ServerOptions {
  adminToken: string;
  /** A token that only reads /metrics (HANDOFF_METRICS_TOKEN), for a Prometheus scraper. */
  metricsToken?: string;
  /** Public base URL, e.g. https://handoff.yourschool.com (shown on the setup page). */
  publicUrl: string;
  /** Proxies, timeouts and connection limits; DEFAULT_HTTP_SETTINGS when not given. */
  http?: Partial<HttpSettings>;
}

/**
 * The HTTP surface: ThriveCart intake, the JSON API behind the admin token, and health. Every
 * error leaves as JSON `{ error, message }` with the right status; internal errors never leak
 * details to the caller (they are logged).
 */
export function buildServer(ctx: AppContext, options: ServerOptions): FastifyInstance {
  const http: HttpSettings = { ...DEFAULT_HTTP_SETTINGS, ...options.http };
  const server = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    // One log line per request would drown the log at webhook rates; outcomes are logged where they matter.
    logController: new LogController({ disableRequestLogging: true }),
    // Forwarded headers only from the configured proxies: anyone else could pose as any address
    // (login throttling) or as https (the Secure cookie).
    trustProxy: http.trustedProxies.length === 0 ? false : [...http.trustedProxies],
    requestTimeout: http.requestTimeoutMs,
    connectionTimeout: http.idleTimeoutMs,
    http: {
      headersTimeout: http.headersTimeoutMs,
      requestTimeout: http.requestTimeoutMs,
      connectionsCheckingInterval: http.timeoutCheckIntervalMs,
    },
    return503OnClosing: true,
  });
  limitConnectionsPerClient(server, http);
  registerSecurityHeaders(server);

  const isAdmin = bearerTokenChecker(options.adminToken);
  const isMetricsReader = options.metricsToken === undefined ? null : bearerTokenChecker(options.metricsToken);

  server.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error, url: request.url }, 'request failed');
      return reply
        .status(500)
        .send({ error: 'internal_error', message: 'Handoff could not process this request; the error is in its log.' });
    }
    return reply.status(status).send({ error: errorName(error), message: error.message });
  });
  server.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ error: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` }),
  );

  server.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Handoff API',
        version: '1',
        description: 'ThriveCart → CRM → membership access. Every /api route needs the admin token as a bearer token.',
      },
      components: { securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } } },
      security: [{ adminToken: [] }],
    },
    // Only the JSON API (its routes carry tags); the console pages and the intake stay out.
    hideUntagged: true,
  });
  server.get('/api/openapi.json', async () => server.swagger());

  server.get('/healthz', async (_request, reply) => {
    try {
      await pingDatabase(ctx.pool);
      return { status: 'ok', database: 'up' };
    } catch {
      return reply.status(503).send({ status: 'unavailable', database: 'down' });
    }
  });

  server.get('/metrics', async (request, reply) => {
    const authorization = request.headers.authorization;
    const allowed = isAdmin(authorization) || (isMetricsReader?.(authorization) ?? false);
    if (!allowed)
      return reply.status(401).send({
        error: 'unauthorized',
        message: 'Send the admin token or HANDOFF_METRICS_TOKEN as "Authorization: Bearer <token>".',
      });
    const metrics = await scrapeMetrics(ctx);
    return reply.type(metrics.contentType).send(metrics.body);
  });

  server.register(async (webhooks) => registerWebhookRoutes(webhooks, ctx));
  server.register(async (ui) => registerConsole(ui, ctx, options));
  // Public, outside the console's login: opened by a signed link only (docs/teams.md).
  server.register(async (team) => registerTeamPage(team, ctx));
  server.register(
    async (api) => {
      api.addHook('onRequest', async (request, reply) => {
        if (!isAdmin(request.headers.authorization)) {
          return reply.status(401).send({
            error: 'unauthorized',
            message: 'Send the admin token as "Authorization: Bearer <token>" (HANDOFF_ADMIN_TOKEN).',
          });
        }
      });
      registerApiRoutes(api, ctx);
    },
    { prefix: '/api' },
  );
  return server;
}

/** One address may not hold every connection (trusted proxies carry everyone's, so they are exempt). */
function limitConnectionsPerClient(server: FastifyInstance, http: HttpSettings): void {
  const proxies = trustedProxyList(http.trustedProxies);
  const open = new Map<string, number>();
  server.server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (address === undefined || proxies.check(address, isIPv4(address) ? 'ipv4' : 'ipv6')) return;
    const count = (open.get(address) ?? 0) + 1;
    if (count > http.maxConnectionsPerClient) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

function errorName(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'body_too_large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported_media_type';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'malformed_body';
    case 'FST_ERR_VALIDATION':
      return 'invalid_request';
    default:
      return 'bad_request';
  }
}
