import type { Fields } from '../../adapters/sources/thrivecart/parse-body.ts';
import type { CommerceEvent } from '../../core/events.ts';
import {
  getDelivery,
  lockDelivery,
  saveDeliveryEvent,
  setDeliveryOutcome,
  type DeliveryStatus,
} from '../../adapters/store/deliveries.ts';
import { applyDelivery, withApplyTransaction } from '../intake/apply-delivery.ts';
import { contextForDelivery } from '../intake/simulated-delivery.ts';
import type { AppContext } from '../context.ts';
import { classifyThriveCartDelivery } from '../intake/classify-delivery.ts';
import { refreshContact } from './refresh-contact.ts';

export interface ReplayDeliveryOutcome {
  deliveryId: number;
  previousStatus: DeliveryStatus;
  status: DeliveryStatus;
  reason: string | null;
}

/**
 * Applies one stored delivery again (after a failure was fixed, or a configuration change), from
 * its stored body. An already applied delivery only refreshes its contact: applying is idempotent.
 * Returns null when the delivery does not exist.
 */
export async function replayDelivery(ctx: AppContext, deliveryId: number): Promise<ReplayDeliveryOutcome | null> {
  // What the failure record needs if applying throws: the status before, and the event as normalised now.
  let previousStatus: DeliveryStatus = 'failed';
  let renormalised: CommerceEvent | null = null;
  return withApplyTransaction(
    ctx,
    async (client) => {
      const delivery = await getDelivery(client, deliveryId);
      if (!delivery) return null;
      previousStatus = delivery.status;
      // A simulated delivery replayed stays as quiet as it was received.
      const effects = contextForDelivery(ctx, delivery.body as Fields);
      await lockDelivery(client, deliveryId);
      if ((delivery.status === 'applied' && delivery.contactId !== null) || delivery.source !== 'thrivecart') {
        if (delivery.contactId === null)
          return { deliveryId, previousStatus: delivery.status, status: delivery.status, reason: delivery.reason };
        await refreshContact(effects, client, delivery.contactId);
        return { deliveryId, previousStatus: delivery.status, status: 'applied', reason: null };
      }
      const { status, reason, event } = classifyThriveCartDelivery(
        delivery.body as Fields,
        delivery.receivedAt,
        ctx.rules,
        ctx.config.thrivecart.testMode,
      );
      if (event === null) {
        await setDeliveryOutcome(client, deliveryId, { status, reason, contactId: null, event: null });
        return { deliveryId, previousStatus: delivery.status, status, reason };
      }
      renormalised = event;
      await saveDeliveryEvent(client, deliveryId, event);
      if (status !== 'applied') {
        await setDeliveryOutcome(client, deliveryId, { status, reason, contactId: null });
        return { deliveryId, previousStatus: delivery.status, status, reason };
      }
      const outcome = await applyDelivery(effects, client, deliveryId, event);
      return { deliveryId, previousStatus: delivery.status, status: outcome.status, reason: outcome.reason };
    },
    async (client, failure) => {
      if (renormalised) await saveDeliveryEvent(client, deliveryId, renormalised);
      await setDeliveryOutcome(client, deliveryId, { status: 'failed', reason: failure.message, contactId: null });
      return { deliveryId, previousStatus, status: 'failed', reason: failure.message };
    },
  );
}
