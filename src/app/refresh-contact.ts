import { foldLedger, type HistoryEntry, type LedgerProjection } from '../core/ledger/fold.ts';
import { insertContactWithLedger, lockContact, saveLedger, type ContactDetails, type ContactRow, type NewContactJob } from '../adapters/store/contacts.ts';
import type { Queryable } from '../adapters/store/database.ts';
import { loadHistory } from '../adapters/store/deliveries.ts';
import { enqueueJobs } from '../adapters/jobs/enqueue-job.ts';
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
export async function refreshContact(ctx: AppContext, db: Queryable, contactId: number, options: { announce?: boolean } = {}): Promise<LedgerProjection | null> {
  const contact = await lockContact(db, contactId);
  if (!contact) return null;
  const history = await loadHistory(db, contactId);
  const now = ctx.clock.now();
  const { projection } = foldLedger(history, ctx.rules, now);
  await saveLedger(db, contactId, projection, now);
  await syncDunningCases(ctx, db, contactId, history, now);
  // An import of old history is quiet: sites hear of no "new member" (options.announce false).
  if (options.announce !== false) await announceContactChanges(ctx, db, contact, projection);
  await enqueueJobs(db, followUpJobs(ctx, contact.ledger, projection, now).map((job) => ({ ...job, key: String(contactId) })));
  return projection;
}

/**
 * The same for a person seen for the first time, whose whole history is the delivery that names
 * them: nothing to load or lock, and the contact, its ledger, the delivery's attachment and the
 * follow-up jobs are written in one statement. This is the intake's path for every new buyer.
 * `reservedId` is the id the intake already attached the delivery to (null: attach it here).
 * Returns the new contact's id.
 */
export async function createContact(
  ctx: AppContext,
  db: Queryable,
  details: ContactDetails & { detailsAsOf: number },
  first: HistoryEntry,
  reservedId: number | null,
): Promise<number> {
  const now = ctx.clock.now();
  const { projection, jobs } = firstLedger(ctx, first, now);
  const attach = reservedId === null ? first.deliveryId : null;
  const contactId = await insertContactWithLedger(db, { ...details, id: reservedId, now }, projection, attach, jobs);
  // A new contact has no stored dunning cases: only a failed payment can open one.
  if (first.event.kind === 'payment_failed') await syncDunningCases(ctx, db, contactId, [first], now);
  const contact: ContactRow = { id: contactId, ...details, ledger: null, createdAt: now, updatedAt: now };
  await announceContactChanges(ctx, db, contact, projection);
  return contactId;
}

/** The ledger of a person whose whole history is `first`, and the jobs their creation starts. */
export function firstLedger(ctx: AppContext, first: HistoryEntry, now: number): { projection: LedgerProjection; jobs: NewContactJob[] } {
  const { projection } = foldLedger([first], ctx.rules, now);
  return { projection, jobs: followUpJobs(ctx, null, projection, now) };
}

/** Downstream syncs when what CRMs and sites see changed, and a timer at the next change. */
function followUpJobs(ctx: AppContext, before: LedgerProjection | null, after: LedgerProjection, now: number): NewContactJob[] {
  const jobs: NewContactJob[] = [];
  if (changedDownstream(before, after)) for (const kind of ctx.onContactChanged) jobs.push({ kind, runAt: now });
  if (after.nextChangeAt !== null) jobs.push({ kind: CONTACT_RECOMPUTE_JOB, runAt: after.nextChangeAt });
  return jobs;
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
