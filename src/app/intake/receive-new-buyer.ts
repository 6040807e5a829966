import type { CommerceEvent } from '../../core/events.ts';
import type { NewDelivery } from '../../adapters/store/deliveries.ts';
import { withTransaction } from '../../adapters/store/database.ts';
import type { NewContactInsert, NewContactPlacement } from '../../adapters/store/new-contact.ts';
import type { AppContext } from '../context.ts';
import { fitsOneStatement, planInputs, planNewContact, type NewContactPlan } from './new-contact-plan.ts';
import { writeNewContact } from './write-new-contact.ts';
import { identityLookupFor, mayCreateContact } from './resolve-contact.ts';

/**
 * The intake's path for a delivery by someone Handoff has never seen, tried before anything is
 * known of them: the new contact's plan is made with a delivery id reserved ahead
 * (adapters/store/delivery-ids.ts), then written by the one writer of new contacts with the
 * delivery claimed in its statement. When the plan is the contact, its ledger and its jobs alone
 * (the usual purchase), that is one statement committing on its own: one round trip instead of
 * four; otherwise (dunning cases, webhook announcements) the rest of the plan follows in the same
 * transaction.
 *
 * Null when the person turned out to be known (or erased), or anything failed: nothing was
 * written, and the caller takes the ordinary path, which decides again under the same locks (and,
 * meeting the same failure, stores the delivery as failed with it).
 */
export async function receiveNewBuyer(
  ctx: AppContext,
  delivery: NewDelivery,
  event: CommerceEvent,
): Promise<{ kind: 'created'; deliveryId: number } | { kind: 'duplicate' } | null> {
  if (!mayCreateContact(event)) return null;
  const deliveryId = await ctx.deliveryIds.next();
  let plan: NewContactPlan;
  try {
    plan = planNewContact(planInputs(ctx), { deliveryId, event }, ctx.clock.now());
  } catch {
    return null;
  }
  const claim: NewContactPlacement = {
    kind: 'claim',
    delivery: { ...delivery, status: 'applied', reason: null },
    deliveryId,
    lookup: identityLookupFor(event.customer),
  };
  let written: NewContactInsert;
  try {
    written = fitsOneStatement(plan)
      ? await writeNewContact(ctx, ctx.pool, plan, claim)
      : await withTransaction(ctx.pool, (client) => writeNewContact(ctx, client, plan, claim));
  } catch {
    return null;
  }
  switch (written.kind) {
    case 'created':
      return { kind: 'created', deliveryId };
    case 'duplicate':
      return { kind: 'duplicate' };
    case 'known':
      return null;
  }
}
