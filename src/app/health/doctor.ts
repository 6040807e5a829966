import type { AppContext } from '../context.ts';
import type { CrmSync } from '../crm/crm-sync.ts';
import type { Sleep } from '../crm/with-patience.ts';
import { checkAccessAlly } from './check-accessally.ts';
import { checkCrms } from './check-crms.ts';
import { checkSmtp } from './check-smtp.ts';
import { checkThriveCart } from './check-thrivecart.ts';
import { checkThriveCartApi } from './check-thrivecart-api.ts';
import { checkWebhookEndpoints } from './check-webhook-endpoints.ts';
import type { HealthCheck } from './health-check.ts';

/**
 * `handoff doctor`: every configured part, each by a real round trip whose answer is checked
 * (or, where nothing can be sent without side effects, by what its recent work did).
 */
export async function runDoctor(ctx: AppContext, sync: CrmSync, sleep: Sleep): Promise<HealthCheck[]> {
  const [thrivecart, thrivecartApi, crms, smtp, accessally, webhooks] = await Promise.all([
    checkThriveCart(ctx, ctx.clock.now()),
    checkThriveCartApi(ctx, sleep),
    checkCrms(ctx, sync, sleep),
    checkSmtp(ctx.config),
    checkAccessAlly(ctx),
    checkWebhookEndpoints(ctx),
  ]);
  return [...thrivecart, ...thrivecartApi, ...crms, smtp, ...accessally, ...webhooks];
}
