import { foldLedger, type LedgerProjection } from '../core/ledger/fold.ts';
import { lockContact, saveLedger } from '../adapters/store/contacts.ts';
import type { Queryable } from '../adapters/store/database.ts';
import { loadHistory } from '../adapters/store/deliveries.ts';
import { enqueueJob } from '../adapters/jobs/enqueue-job.ts';
import type { AppContext } from './context.ts';
import { CONTACT_RECOMPUTE_JOB } from './job-kinds.ts';
import { syncDunningCases } from './dunning/sync-dunning-cases.ts';
import { announceContactChanges } from './webhooks/announce-contact-changes.ts';

/**
 * Re-folds a contact's whole history at the current time and stores the projection, inside the
 * caller's transaction. Effects are decided here, in the same transaction: downstream jobs when
 * tags or access changed, and a timer for the next instant access changes by itself.
 * Returns the new projection, or null when the contact no longer exists (merged into another).
 */
export async function refreshContact(ctx: AppContext, db: Queryable, contactId: number): Promise<LedgerProjection | null> {
  const contact = await lockContact(db, contactId);
  if (!contact) return null;
  const history = await loadHistory(db, contactId);
  const now = ctx.clock.now();
  const { projection } = foldLedger(history, ctx.rules, now);
  await saveLedger(db, contactId, projection, now);
  await syncDunningCases(ctx, db, contactId, history, now);
  await announceContactChanges(ctx, db, contact, projection);

  if (changedDownstream(contact.ledger, projection)) {
    for (const kind of ctx.onContactChanged) await enqueueJob(db, { kind, key: String(contactId), runAt: now });
  }
  if (projection.nextChangeAt !== null) {
    await enqueueJob(db, { kind: CONTACT_RECOMPUTE_JOB, key: String(contactId), runAt: projection.nextChangeAt });
  }
  return projection;
}

/** Whether anything a CRM or a site sees (tags, granted offerings) differs. */
function changedDownstream(before: LedgerProjection | null, after: LedgerProjection): boolean {
  if (!before) return Object.keys(after.tags).length > 0;
  const tagsBefore = Object.keys(before.tags).sort().join('\n');
  const tagsAfter = Object.keys(after.tags).sort().join('\n');
  const grantedBefore = before.access.filter((entry) => entry.granted).map((entry) => entry.offering).sort().join('\n');
  const grantedAfter = after.access.filter((entry) => entry.granted).map((entry) => entry.offering).sort().join('\n');
  return tagsBefore !== tagsAfter || grantedBefore !== grantedAfter;
}
