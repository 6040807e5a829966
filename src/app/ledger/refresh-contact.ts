import { changedDownstream } from '../../core/ledger/downstream.ts';
import { foldLedger, type LedgerProjection } from '../../core/ledger/fold.ts';
import { lockContact, saveLedger } from '../../adapters/store/contacts.ts';
import type { Queryable } from '../../adapters/store/database.ts';
import { loadHistory } from '../../adapters/store/deliveries.ts';
import { enqueueJobs } from '../../adapters/jobs/enqueue-job.ts';
import type { AppContext } from '../context.ts';
import { syncDunningCases } from '../dunning/sync-dunning-cases.ts';
import { followUpJobs } from './follow-up-jobs.ts';
import { announceContactChanges } from '../webhooks/announce-contact-changes.ts';
import { loadTeamSeats } from '../teams/team-seats.ts';
import { followPayer } from '../teams/follow-payer.ts';
import { endsSimulation, historyThatCounts, insideHandoffOnly } from '../intake/simulated-delivery.ts';

/**
 * Re-folds a contact's whole history at the current time and stores the projection, inside the
 * caller's transaction. Effects are decided here, in the same transaction: downstream jobs when
 * tags or access changed, and a timer for the next instant access changes by itself.
 * `attachDeliveryId` is a delivery that now belongs to the contact (attached with the row lock).
 * Returns the new projection, or null when the contact no longer exists (merged into another).
 * A person seen for the first time is written by app/intake/write-new-contact.ts instead.
 */
export async function refreshContact(
  ctx: AppContext,
  db: Queryable,
  contactId: number,
  attachDeliveryId: number | null = null,
  options: { announce?: boolean; reloadTeamSeats?: boolean } = {},
): Promise<LedgerProjection | null> {
  const contact = await lockContact(db, contactId, attachDeliveryId);
  if (!contact) return null;
  const stored = await loadHistory(db, contactId);
  const { history, simulatedOnly } = historyThatCounts(stored);
  // A person known only through simulations stays inside Handoff, whatever re-folds them.
  const effects = simulatedOnly ? insideHandoffOnly(ctx) : ctx;
  const before = endsSimulation(stored, attachDeliveryId) ? null : contact.ledger;
  const now = ctx.clock.now();
  // Team seats change only with a pool or its payer, whose change re-folds the members with
  // reloadTeamSeats (app/teams/follow-payer.ts); any other fold keeps the seats it had.
  const storedSeats = contact.ledger?.state.teamSeats ?? [];
  const seats = options.reloadTeamSeats ? await loadTeamSeats(db, contactId, storedSeats, now) : storedSeats;
  const { projection } = foldLedger(history, ctx.rules, now, seats);
  await saveLedger(db, contactId, projection, now);
  await syncDunningCases(effects, db, contactId, history, now);
  // An import of old history is quiet: sites hear of no "new member" (options.announce false).
  if (options.announce !== false) await announceContactChanges(effects, db, { ...contact, ledger: before }, projection);
  const jobs = followUpJobs(effects.onContactChanged, changedDownstream(before, projection), projection, now);
  await enqueueJobs(
    db,
    jobs.map((job) => ({ ...job, key: String(contactId) })),
  );
  // The contact's own history changed: as a payer, their members follow. (A member's re-fold does
  // not change the member's own purchases, so it stops there.)
  if (!options.reloadTeamSeats) await followPayer(effects, db, contactId, projection, options);
  return projection;
}
