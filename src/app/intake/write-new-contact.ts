import type { ContactRow } from '../../adapters/store/contacts.ts';
import type { Queryable } from '../../adapters/store/database.ts';
import { insertNewContact, type NewContactInsert, type NewContactPlacement } from '../../adapters/store/new-contact.ts';
import type { AppContext } from '../context.ts';
import { storeDunningCases } from '../dunning/sync-dunning-cases.ts';
import { recordContactAnnouncements } from '../webhooks/announce-contact-changes.ts';
import type { NewContactPlan } from './new-contact-plan.ts';
import { followPayer } from '../teams/follow-payer.ts';

/**
 * The one writer of a new contact: writes the whole plan, inside the caller's transaction. The
 * contact, its ledger, its jobs and its delivery go in one statement (insertNewContact); the
 * dunning cases and the webhook announcements, when the plan has any, follow it. With a `claim`
 * placement nothing at all is written when the person turns out to be known or erased, or the
 * delivery is a duplicate. Without dunning cases or announcements (fitsOneStatement), `db` may
 * be the pool: the one statement commits on its own.
 */
export async function writeNewContact(
  ctx: AppContext,
  db: Queryable,
  plan: NewContactPlan,
  placement: NewContactPlacement,
): Promise<NewContactInsert> {
  const inserted = await insertNewContact(
    db,
    { details: plan.details, ledger: plan.ledger, jobs: plan.jobs, now: plan.now },
    placement,
  );
  if (inserted.kind !== 'created') return inserted;
  const { contactId } = inserted;
  if (plan.dunningCases.length > 0) await storeDunningCases(ctx, db, contactId, new Map(), plan.dunningCases, plan.now);
  if (plan.announcements !== null) {
    const contact: ContactRow = {
      id: contactId,
      ...plan.details,
      ledger: null,
      createdAt: plan.now,
      updatedAt: plan.now,
    };
    await recordContactAnnouncements(ctx, db, contact, plan.announcements, null);
  }
  if (plan.opensTeamPools) await followPayer(ctx, db, contactId, plan.ledger);
  return inserted;
}
