import type { DunningCase, DunningCaseState } from '../../core/dunning/dunning-case.ts';
import { dunningTransition } from '../../core/webhooks/dunning-transition.ts';
import { findContactById } from '../../adapters/store/contacts.ts';
import type { Queryable } from '../../adapters/store/database.ts';
import type { AppContext } from '../context.ts';
import { personOf } from './person.ts';
import { recordWebhookEvent } from './record-webhook-event.ts';

/** When access ends because of this case: the grace deadline while open, the loss once lost, else never. */
function accessEndsAt(dunningCase: DunningCase): string | null {
  if (dunningCase.state === 'open') return new Date(dunningCase.graceEndsAt).toISOString();
  if (dunningCase.state === 'lost' && dunningCase.lostAt !== null) return new Date(dunningCase.lostAt).toISOString();
  return null;
}

/**
 * Records dunning.opened / dunning.closed when a case's state changed from `before` (null when the
 * case is new), in the transaction that stored the case. Costs nothing when no endpoint exists.
 */
export async function announceDunningCase(
  ctx: AppContext,
  db: Queryable,
  contactId: number,
  dunningCase: DunningCase,
  before: DunningCaseState | null,
): Promise<void> {
  if (!ctx.webhooks.mayHaveEndpoints || ctx.insideHandoffOnly) return;
  const type = dunningTransition(before, dunningCase.state);
  if (type === null) return;
  const contact = await findContactById(db, contactId);
  if (!contact) return;
  await recordWebhookEvent(
    db,
    {
      type,
      contactId,
      data: {
        ...personOf(contact),
        product: dunningCase.productName,
        orderId: dunningCase.orderId,
        outcome: dunningCase.state === 'open' ? null : dunningCase.state,
        openedAt: new Date(dunningCase.openedAt).toISOString(),
        accessEndsAt: accessEndsAt(dunningCase),
      },
    },
    ctx.clock.now(),
  );
}
