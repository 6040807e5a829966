/**
 * At a launch, the access tags of the buyers still waiting for their first push go to the CRM in
 * one bulk call, where the vendor documents one (ActiveCampaign's bulk import): a single request
 * instead of two per buyer, so the last buyer's access tag no longer waits behind every other
 * buyer's. The call is asynchronous and answers nothing per person, so nothing counts on it: each
 * buyer's own push still upserts, applies (already there: no change) and records every tag, and
 * AccessAlly is called after that push as always. A crash, a second process or a failed import
 * only means the buyer's own push does the work, as it would without the bulk call. Until the CRM
 * has run the import, an erasure of one of its people waits (bulk-import-check.ts); each person's
 * CRM record notes the e-mail and tags it carried, so that an erasure or an e-mail change before
 * their own push finds what it created (erase-from-crm.ts, imported-record.ts).
 */
import { CrmError, type CrmBulkTagging } from '../../ports/crm-connector.ts';
import { detailsToPush } from '../../core/tag-sync/contact-details.ts';
import type { ContactRow } from '../../adapters/store/contacts.ts';
import type { CrmContactState } from '../../adapters/store/crm-contacts.ts';
import {
  forgetBulkImported,
  listContactIdsAwaitingFirstPush,
  recordBulkImported,
} from '../../adapters/store/crm-contacts.ts';
import { dropPendingJob } from '../../adapters/jobs/drop-pending-job.ts';
import { RateBudgetSpent } from './rate-budget-scope.ts';
import { findTaggedPeople } from '../../adapters/store/contacts.ts';
import { shareBulkImportNotes } from '../../adapters/store/bulk-import-lock.ts';
import { withTransaction } from '../../adapters/store/database.ts';
import type { JobRequest } from '../../ports/jobs.ts';
import type { AppContext } from '../context.ts';
import type { CrmConnection } from './crm-connections.ts';
import type { CrmSync } from './crm-sync.ts';
import { bulkCheckBeforeSending, bulkCheckOfBatch } from './bulk-import-check.ts';
import { postponePendingJobs } from '../../adapters/jobs/postpone-pending-jobs.ts';
import { enqueueJob } from '../../adapters/jobs/enqueue-job.ts';

/**
 * How long a buyer whose access tags went in a bulk call lets the others go first: their own push
 * then confirms the tags (or applies them, should the import not be done yet).
 */
export const BULK_QUEUED_DEFER_MS = 10_000;

/** How long a contact is remembered as queued, so it is queued once however long its push waits. */
const FORGET_AFTER_MS = 60 * 60_000;

/** When each contact's access tags were queued in a bulk call, per connection (this process only). */
const queuedAt = new WeakMap<CrmConnection, Map<number, number>>();

/**
 * How long a buyer changed this recently waits, when other buyers wait too but not enough for a
 * bulk call, for the batch to fill: at a launch whose purchases trickle in (a busy server takes
 * them in slowly) each job would otherwise find too few waiting and push alone. A buyer alone
 * never waits.
 */
export const BULK_GATHER_MS = 2_000;

/** What the buyer's job does now: its own push, or wait (its tags went in bulk, or a batch is filling), and why. */
export type BulkDecision = { push: true } | { push: false; waitMs: number; reason: string };

const QUEUED = 'access tags going in a bulk call with other buyers; this push follows';

/**
 * Sends the access tags of the waiting buyers in one bulk call when enough of them wait, and says
 * whether `contact`'s own push goes now. Runs inside the caller's rate-budget scope, so the bulk
 * call counts against the budget like any request.
 */
export async function queueAccessTagsInBulk(
  ctx: AppContext,
  sync: CrmSync,
  connection: CrmConnection,
  contact: ContactRow,
  known: CrmContactState,
): Promise<BulkDecision> {
  const pushNow = { push: true } as const;
  const tagger = connection.connector.bulkTagger;
  if (!tagger || known.remoteId !== null || accessTagsOf(sync, contact).length === 0) return pushNow;
  const now = ctx.clock.now();
  const queued = queuedAt.get(connection) ?? new Map<number, number>();
  queuedAt.set(connection, queued);
  for (const [contactId, at] of queued) if (now - at >= FORGET_AFTER_MS) queued.delete(contactId);
  // Queued once: it waits its turn, then its own push does the rest; it is never queued again. Asked
  // again here although the job asked first: a job running beside this one may have queued it since.
  if (queued.has(contact.id)) return waitWhileQueuedInBulk(connection, contact.id, now) ?? pushNow;
  // Carried by an import already (sent by another process, or before a restart): never a second time.
  if (known.imported !== null) return pushNow;

  // The buyers already carried by an import (their record says so) still wait for their own push;
  // left in, they would fill every later batch's window and the buyers behind them would each go the single way.
  const waiting = await listContactIdsAwaitingFirstPush(
    ctx.pool,
    connection.syncJobKind,
    connection.name,
    tagger.maxPeople,
  );
  const candidates = [contact.id, ...waiting.filter((id) => id !== contact.id)]
    .filter((id) => !queued.has(id))
    .slice(0, tagger.maxPeople);
  if (candidates.length < tagger.minPeople) {
    const changedAgoMs = now - contact.updatedAt;
    return candidates.length > 1 && changedAgoMs < BULK_GATHER_MS
      ? { push: false, waitMs: BULK_GATHER_MS - changedAgoMs, reason: 'a bulk call is filling with other buyers' }
      : pushNow;
  }
  const recorded = await recordBeforeSending(ctx, sync, connection, candidates, tagger.minPeople, now);
  if (recorded === null) return pushNow;
  const { check, people } = recorded;
  try {
    const { batchId } = await tagger.queue(people);
    await enqueueJob(ctx.pool, bulkCheckOfBatch(check, batchId));
  } catch (error) {
    if (neverQueued(error)) await forgetUnsentImport(ctx, connection, check, people);
    // Budget and credential problems are the job's to handle; any other failure leaves each buyer's own push to do it.
    if (!(error instanceof CrmError) || error.kind === 'rate_limited' || error.kind === 'auth') throw error;
    ctx.log.warn(
      { connector: connection.name, err: error.message },
      'bulk tag call failed; each buyer is pushed alone',
    );
    return pushNow;
  }
  for (const person of people) queued.set(person.contactId, now);
  // Their own pushes wait the same time. Put back in one statement, their jobs are not claimed and
  // run one by one only to be put back (a job run of several statements per buyer at a launch), and
  // a process that did not send the import leaves them waiting as well.
  await postponePendingJobs(
    ctx.pool,
    connection.syncJobKind,
    people.map((person) => String(person.contactId)),
    now + BULK_QUEUED_DEFER_MS,
  );
  ctx.log.info({ connector: connection.name, people: people.length }, 'access tags of waiting buyers queued in bulk');
  return { push: false, waitMs: BULK_QUEUED_DEFER_MS, reason: QUEUED };
}

/**
 * The wait of a buyer whose access tags this process sent in a bulk call less than
 * BULK_QUEUED_DEFER_MS ago, or null. Asked before the buyer's job does anything else: at a launch
 * the other buyers of a claimed batch are carried by the import its first job sends, and each would
 * otherwise take the credential's turn and read its CRM record only to learn that it waits. A
 * change made in those seconds (a refund) waits with it, at most BULK_QUEUED_DEFER_MS, and then
 * pushes the revoke tag, which denies access whatever the import adds (bulk-import-people.test.ts).
 */
export function waitWhileQueuedInBulk(
  connection: CrmConnection,
  contactId: number,
  now: number,
): { push: false; waitMs: number; reason: string } | null {
  const queuedBefore = queuedAt.get(connection)?.get(contactId);
  if (queuedBefore === undefined || now - queuedBefore >= BULK_QUEUED_DEFER_MS) return null;
  return { push: false, waitMs: queuedBefore + BULK_QUEUED_DEFER_MS - now, reason: QUEUED };
}

/**
 * Whether the import certainly was not queued: held back by the budget before it was sent, or
 * refused with a 4xx (a 5xx, a timeout or an unusable 200 may have queued it, so they are not).
 */
function neverQueued(error: unknown): boolean {
  if (error instanceof RateBudgetSpent) return true;
  const status = error instanceof CrmError ? error.details.status : undefined;
  return status !== undefined && status >= 400 && status < 500;
}

/** An import never queued carries no one: nothing waits for it, and no record is looked for. */
async function forgetUnsentImport(
  ctx: AppContext,
  connection: CrmConnection,
  check: JobRequest,
  people: readonly { contactId: number }[],
): Promise<void> {
  await withTransaction(ctx.pool, async (client) => {
    await dropPendingJob(client, check.kind, check.key);
    await forgetBulkImported(
      client,
      connection.name,
      people.map((person) => person.contactId),
    );
  });
}

/**
 * Written before the import is sent, so that even after a crash right after sending, whom it
 * carries is known: the check job keeps an erasure waiting until the CRM may have run it
 * (bulk-import-check.ts), and each person's record says under which e-mail and with which tags
 * the CRM may hold them (an erasure or an e-mail change finds that record by it). The people are
 * read in the same transaction, under the lock an erasure excludes (bulk-import-lock.ts):
 * one erased or changed meanwhile is left out or carried as they now are, never sent as they were.
 */
async function recordBeforeSending(
  ctx: AppContext,
  sync: CrmSync,
  connection: CrmConnection,
  candidates: readonly number[],
  minPeople: number,
  now: number,
): Promise<{ check: JobRequest; people: (CrmBulkTagging & { contactId: number })[] } | null> {
  return withTransaction(ctx.pool, async (client) => {
    await shareBulkImportNotes(client);
    const current = await findTaggedPeople(client, candidates);
    const people = current
      .map((person) => ({
        contactId: person.id,
        ...detailsToPush(person, null)!,
        tags: accessTagsIn(sync, person.tagNames),
      }))
      .filter((person) => person.tags.length > 0);
    if (people.length < minPeople) return null;
    const check = bulkCheckBeforeSending(
      connection,
      people.map((person) => person.contactId),
      now,
    );
    await enqueueJob(client, check);
    await recordBulkImported(client, connection.name, people, now);
    return { check, people };
  });
}

function accessTagsOf(sync: CrmSync, contact: ContactRow): string[] {
  return accessTagsIn(sync, Object.keys(contact.ledger?.tags ?? {}));
}

function accessTagsIn(sync: CrmSync, tagNames: readonly string[]): string[] {
  return tagNames.filter((tag) => sync.accessTags.has(tag));
}
