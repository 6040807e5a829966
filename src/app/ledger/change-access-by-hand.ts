import { randomUUID } from 'node:crypto';
import type { ManualAccessEvent } from '../../core/events.ts';
import { insertDelivery, type NewDelivery } from '../../adapters/store/deliveries.ts';
import type { AppContext } from '../context.ts';
import { applyDelivery, withApplyTransaction, type ApplyOutcome } from '../intake/apply-delivery.ts';

/** Deliveries made in the console rather than received from ThriveCart. */
export const CONSOLE_SOURCE = 'console';

export interface ManualAccessRequest {
  email: string;
  offering: string;
  action: 'grant' | 'revoke';
  /** Who is doing it, as the audit trail will show it. */
  actor: string;
  /** Why, in their words. */
  note: string;
}

/**
 * Grants or revokes an offering by hand. The change is recorded like a delivery (source
 * `console`), so it is part of the contact's history: it shows in the timeline with who and why,
 * survives replays, and is folded with everything else. Granting to an unknown email creates the
 * contact (complimentary access).
 */
export async function changeAccessByHand(
  ctx: AppContext,
  request: ManualAccessRequest,
): Promise<ApplyOutcome & { deliveryId: number }> {
  if (!ctx.rules.offerings.has(request.offering))
    throw new Error(`No offering "${request.offering}" in the configuration`);
  const now = ctx.clock.now();
  const event: ManualAccessEvent = {
    kind: 'manual_access',
    occurredAt: now,
    live: true,
    customer: { thrivecartId: null, email: request.email.trim().toLowerCase(), firstName: null, lastName: null },
    offering: request.offering,
    action: request.action,
    actor: request.actor,
    note: request.note.trim(),
  };
  const delivery: NewDelivery = {
    source: CONSOLE_SOURCE,
    dedupKey: `${CONSOLE_SOURCE}:${randomUUID()}`,
    receivedAt: now,
    eventName: `manual_access.${request.action}`,
    occurredAt: now,
    live: true,
    body: {
      offering: request.offering,
      action: request.action,
      actor: request.actor,
      note: event.note,
      email: event.customer.email,
    },
    event,
    status: 'applied',
    reason: null,
  };
  return withApplyTransaction(
    ctx,
    async (client) => {
      const deliveryId = (await insertDelivery(client, delivery))!;
      return { ...(await applyDelivery(ctx, client, deliveryId, event)), deliveryId };
    },
    async (client, failure) => {
      const deliveryId = (await insertDelivery(client, { ...delivery, status: 'failed', reason: failure.message }))!;
      return { status: 'failed', reason: failure.message, contactId: null, deliveryId };
    },
  );
}
