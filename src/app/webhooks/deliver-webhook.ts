import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';
import { judgeAnswer } from '../../core/webhooks/delivery-verdict.ts';
import { MAX_ATTEMPTS, retryDelay } from '../../core/webhooks/retry-schedule.ts';
import { withTransaction } from '../../adapters/store/database.ts';
import {
  cancelDelivery,
  loadDeliveryTarget,
  recordAttempt,
  type DeliveryTarget,
} from '../../adapters/store/webhook-deliveries.ts';
import { setEndpointEnabled } from '../../adapters/store/webhook-endpoints.ts';
import { postWebhook } from '../../adapters/webhooks/post-webhook.ts';
import type { AppContext } from '../context.ts';
import { ENDPOINT_SECRET_CONTEXT } from './webhooks.ts';
import { PermanentJobError, type ClaimedJob, type RetryLater } from '../../ports/jobs.ts';

/** The endpoint's signing secret: stored encrypted for console endpoints, read from the configuration file for the others. */
function secretOf(ctx: AppContext, endpoint: DeliveryTarget['endpoint']): string | null {
  if (endpoint.source === 'console')
    return endpoint.secret === null ? null : ctx.webhooks.secrets().open(endpoint.secret, ENDPOINT_SECRET_CONTEXT);
  return ctx.config.webhooks?.endpoints.find((configured) => configured.name === endpoint.name)?.secret ?? null;
}

/**
 * The `webhook.deliver` job: one signed POST of one message to one endpoint. Success, a 410 (the
 * endpoint is disabled) or a disabled endpoint end the job; other failures come back on the
 * Standard Webhooks schedule (or after the receiver's Retry-After), and after the last attempt the
 * job is dead-lettered, so it shows on the Problems page and can be retried from there.
 */
export async function deliverWebhook(
  ctx: AppContext,
  job: ClaimedJob,
  random: () => number = Math.random,
): Promise<RetryLater | void> {
  const target = await loadDeliveryTarget(ctx.pool, Number(job.key));
  // Gone (erased person, deleted endpoint) or already finished: nothing to send.
  if (!target || target.state === 'delivered' || target.state === 'cancelled') return;
  const now = ctx.clock.now();
  const secret = secretOf(ctx, target.endpoint);
  if (!target.endpoint.enabled || secret === null) {
    await cancelDelivery(ctx.pool, target.deliveryId, 'the endpoint was disabled before this message went out', now);
    return;
  }

  const headers = {
    'webhook-id': target.messageId,
    'webhook-timestamp': String(Math.floor(now / 1000)),
    'webhook-signature': new Webhook(secret).sign(target.messageId, new Date(now), target.body),
  };
  const restricted = target.endpoint.source === 'console' && ctx.webhooks.restrictAddedEndpoints;
  const started = performance.now();
  const outcome = await postWebhook(new URL(target.endpoint.url), headers, target.body, {
    restricted,
    resolveHost: ctx.webhooks.resolveHost,
  });
  const attempt = { at: now, durationMs: Math.round(performance.now() - started) };
  const verdict =
    outcome.kind === 'failed'
      ? { kind: 'retry' as const, error: outcome.error, waitMs: null }
      : judgeAnswer(outcome, now);
  const statusCode = outcome.kind === 'response' ? outcome.statusCode : null;

  if (verdict.kind === 'delivered') {
    await recordAttempt(ctx.pool, target.deliveryId, { ...attempt, statusCode, error: null }, 'delivered');
    return;
  }
  if (verdict.kind === 'gone') {
    await withTransaction(ctx.pool, async (client) => {
      await recordAttempt(client, target.deliveryId, { ...attempt, statusCode, error: verdict.error }, 'dead');
      await setEndpointEnabled(
        client,
        target.endpoint.id,
        false,
        `answered 410 Gone on ${new Date(now).toISOString().slice(0, 10)}`,
      );
    });
    ctx.log.warn({ endpoint: target.endpoint.name }, 'webhook endpoint answered 410 Gone; disabled');
    return;
  }
  const scheduled = retryDelay(job.attempt, random());
  if (scheduled === null) {
    await recordAttempt(ctx.pool, target.deliveryId, { ...attempt, statusCode, error: verdict.error }, 'dead');
    throw new PermanentJobError(
      `webhook to ${target.endpoint.name} gave up after ${MAX_ATTEMPTS} attempts: ${verdict.error}`,
    );
  }
  await recordAttempt(ctx.pool, target.deliveryId, { ...attempt, statusCode, error: verdict.error }, 'pending');
  return {
    retryAfterMs: verdict.waitMs ?? scheduled,
    spendAttempt: true,
    reason: `webhook to ${target.endpoint.name}: ${verdict.error}`,
  };
}
