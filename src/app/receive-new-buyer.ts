import type { CommerceEvent } from '../core/events.ts';
import type { NewDelivery } from '../adapters/store/deliveries.ts';
import { storeNewBuyer, type NewBuyerOutcome } from '../adapters/store/new-buyer.ts';
import type { AppContext } from './context.ts';
import { firstLedger } from './refresh-contact.ts';
import { identityLookupFor } from './resolve-contact.ts';

/**
 * The intake's path for the delivery that most often arrives during a launch: a purchase by
 * someone Handoff has never seen. Everything it writes (the delivery, the contact, the ledger
 * folded from that one delivery, the CRM jobs) goes to PostgreSQL in one statement that commits
 * on its own: one round trip instead of four. Only purchases try it: renewals, refunds and the
 * rest nearly always name someone known, who would pay for the attempt with a wasted fold and
 * round trip. Nor is it tried where creating the contact is not all there is to do: a webhook
 * endpoint to tell.
 *
 * Null when this path does not apply or the person turned out to be known (or erased): nothing
 * was written, and the caller takes the ordinary path, which decides again under the same locks.
 */
export async function receiveNewBuyer(ctx: AppContext, delivery: NewDelivery, event: CommerceEvent): Promise<{ kind: 'created'; deliveryId: number } | { kind: 'duplicate' } | null> {
  if (event.kind !== 'purchase' || ctx.webhooks.mayHaveEndpoints) return null;
  const deliveryId = await ctx.deliveryIds.next();
  const now = ctx.clock.now();
  let first: ReturnType<typeof firstLedger>;
  try {
    first = firstLedger(ctx, { deliveryId, event }, now);
  } catch {
    // The ordinary path folds again, fails the same way and stores the delivery as failed, with the error.
    return null;
  }
  const { projection, jobs } = first;
  const { customer } = event;
  let outcome: NewBuyerOutcome;
  try {
    outcome = await storeNewBuyer(
      ctx.pool,
      delivery,
      deliveryId,
      identityLookupFor(customer),
      { firstName: customer.firstName, lastName: customer.lastName, detailsAsOf: event.occurredAt, now },
      projection,
      jobs,
    );
  } catch {
    // One statement: when it fails nothing was written. The ordinary path meets the same cause
    // and either stores the delivery as failed with it (a refused contact) or answers 5xx.
    return null;
  }
  switch (outcome) {
    case 'created':
      return { kind: 'created', deliveryId };
    case 'duplicate':
      return { kind: 'duplicate' };
    case 'known':
      return null;
  }
}
