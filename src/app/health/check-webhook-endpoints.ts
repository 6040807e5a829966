import { listRecentDeliveries } from '../../adapters/store/webhook-deliveries.ts';
import { listWebhookEndpoints } from '../../adapters/store/webhook-endpoints.ts';
import { probeEndpoint } from '../../adapters/webhooks/probe-endpoint.ts';
import type { AppContext } from '../context.ts';
import { fail, ok, warn, type HealthCheck } from './health-check.ts';

/** How many of an endpoint's latest messages are looked at. */
const RECENT = 20;

/**
 * Each outbound webhook endpoint: enabled, reachable, and its latest messages delivered (an
 * endpoint's real answer is to real messages; they are what is judged).
 */
export async function checkWebhookEndpoints(ctx: AppContext): Promise<HealthCheck[]> {
  const checks: HealthCheck[] = [];
  for (const endpoint of await listWebhookEndpoints(ctx.pool)) {
    const part = `Webhook ${endpoint.name}`;
    if (!endpoint.enabled) {
      checks.push(
        fail(
          part,
          `disabled${endpoint.disabledReason ? `: ${endpoint.disabledReason}` : ''}`,
          'Fix the site, then enable the endpoint again on the Webhooks page.',
        ),
      );
      continue;
    }
    const probe = await probeEndpoint(endpoint.url);
    if (!probe.reachable) {
      checks.push(
        fail(
          part,
          `cannot reach ${endpoint.url}: ${probe.detail}`,
          'Check the URL and that the site is up and reachable from this server.',
        ),
      );
      continue;
    }
    const recent = await listRecentDeliveries(ctx.pool, { limit: RECENT, endpointId: endpoint.id });
    const dead = recent.filter((delivery) => delivery.state === 'dead');
    const failing = recent.filter((delivery) => delivery.state === 'pending' && delivery.attempts > 0);
    if (dead.length > 0) {
      const last = dead[0]!;
      checks.push(
        fail(
          part,
          `${dead.length} of its latest ${recent.length} messages gave up (last: ${last.lastError ?? `HTTP ${last.lastStatusCode ?? '?'}`})`,
          'Fix the site so it answers 2xx, then Retry them on the Problems page.',
        ),
      );
    } else if (failing.length > 0) {
      checks.push(
        warn(
          part,
          `${failing.length} of its latest ${recent.length} messages are being retried (last: ${failing[0]!.lastError ?? `HTTP ${failing[0]!.lastStatusCode ?? '?'}`})`,
          'Handoff retries for about 27 hours; check the site if it lasts.',
        ),
      );
    } else {
      const delivered = recent.filter((delivery) => delivery.state === 'delivered').length;
      checks.push(
        ok(
          part,
          `${endpoint.url} answers (HTTP ${probe.status} to HEAD); ${recent.length === 0 ? 'no message sent yet' : `${delivered} of its latest ${recent.length} messages delivered`}`,
        ),
      );
    }
  }
  return checks;
}
