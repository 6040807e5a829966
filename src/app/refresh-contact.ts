import { foldLedger, type HistoryEntry, type LedgerProjection } from '../core/ledger/fold.ts';
import { lockContact, saveLedger, saveLedgerAndAttachDelivery, type ContactRow } from '../adapters/store/contacts.ts';
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
 *
 * `created` is for a contact created by this transaction: its row and history are known (no read
 * or lock needed), and the delivery that created it is attached in the same write as its ledger.
 * This is the intake's hot path for every new buyer.
 */
export async function refreshContact(
  ctx: AppContext,
  db: Queryable,
  contactId: number,
  created?: { contact: ContactRow; history: readonly HistoryEntry[]; attachDeliveryId: number },
): Promise<LedgerProjection | null> {
  const contact = created?.contact ?? (await lockContact(db, contactId));
  if (!contact) return null;
  const history = created?.history ?? (await loadHistory(db, contactId));
  const now = ctx.clock.now();
  const { projection } = foldLedger(history, ctx.rules, now);
  if (created) await saveLedgerAndAttachDelivery(db, contactId, projection, created.attachDeliveryId, now);
  else await saveLedger(db, contactId, projection, now);
  // A new contact has no stored dunning cases: only a failed payment in its history can open one.
  if (!created || history.some((entry) => entry.event.kind === 'payment_failed')) await syncDunningCases(ctx, db, contactId, history, now);
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
