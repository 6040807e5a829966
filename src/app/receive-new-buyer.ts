import type { CommerceEvent } from '../core/events.ts';
import type { NewDelivery } from '../adapters/store/deliveries.ts';
import { storeNewBuyer, type NewBuyerOutcome } from '../adapters/store/new-buyer.ts';
import type { AppContext } from './context.ts';
import { firstLedger } from './refresh-contact.ts';
import { identityLookupFor, mayCreateContact } from './resolve-contact.ts';

/**
 * The intake's path for the delivery that most often arrives during a launch: a purchase by
 * someone Handoff has never seen (any first delivery that creates its person takes it too).
 * Everything it writes (the delivery, the contact, the ledger folded from that one delivery, the
 * CRM jobs) goes to PostgreSQL in one statement that commits on its own: one round trip instead
 * of four. It applies only where creating the contact is all there is to do: no dunning case to
 * open (a failed payment) and no webhook endpoint to tell.
 *
 * Null when this path does not apply or the person turned out to be known (or erased): nothing
 * was written, and the caller takes the ordinary path, which decides again under the same locks.
 */
export async function receiveNewBuyer(ctx: AppContext, delivery: NewDelivery, event: CommerceEvent): Promise<{ kind: 'created'; deliveryId: number } | { kind: 'duplicate' } | null> {
  if (!mayCreateContact(event) || event.kind === 'payment_failed' || ctx.webhooks.mayHaveEndpoints) return null;
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
  switch (outcome.kind) {
    case 'created':
      return { kind: 'created', deliveryId };
    case 'duplicate':
      return { kind: 'duplicate' };
    case 'known':
      return null;
  }
}
