/**
 * The `crm.bulk-check:<name>` job: follows one bulk import of access tags until the CRM has
 * finished with it, so that nothing Handoff does for a person of the batch meanwhile is undone by
 * the import when ActiveCampaign runs it late (docs/performance.md, the bulk path).
 *
 * What a late import can undo: it creates or updates the person by e-mail and adds the access tag,
 * nothing else. A refund or any end of access keeps the access tag and adds the revoke tag
 * (AccessAlly's rule, core/access/derive-access.ts), which the import never removes, so access
 * stays denied. An erasure, though, deletes the person from the CRM, and an import run afterwards
 * would create them again, e-mail, name and access tag: so the erasure of a person of a batch
 * still outstanding waits for this job to finish (erase-from-crm.ts).
 *
 * The job is written before the import is sent, so a crash between the two leaves it behind,
 * without a batch id: it then waits for fixed times (an import refused outright drops it at once,
 * bulk-access-tags.ts). With a batch id it asks the CRM
 * (`batchStatus`) with a growing interval until the batch is finished. Every request goes through
 * the connection's shared rate budget.
 */
import type { Queryable } from '../../adapters/store/database.ts';
import { hasUnfinishedJobWhosePayloadHolds } from '../../adapters/store/job-health.ts';
import type { ClaimedJob, JobRequest, RetryLater } from '../../ports/jobs.ts';
import type { AppContext } from '../context.ts';
import type { CrmConnection } from './crm-connections.ts';
import { withinRateBudget, type RateBudgetScope } from './rate-budget-scope.ts';
import { handleCrmFailure } from './sync-contact.ts';

export function bulkCheckJobKind(connectionName: string): string {
  return `crm.bulk-check:${connectionName}`;
}

/** Ids only: jobs carry no personal data. */
export interface BulkCheckPayload {
  /** Null until the CRM answered the import call (and for good when the answer was not recorded). */
  batchId: string | null;
  sentAt: number;
  contactIds: number[];
}

/** First look at the batch's status this long after sending; each later look waits half the time since sending, up to POLL_MAX_MS. */
const POLL_FIRST_MS = 5_000;
const POLL_MAX_MS = 5 * 60_000;
/**
 * ActiveCampaign documents no bound on how late an import runs. A batch whose id was never
 * recorded is taken as finished this long after sending, and so is one whose status still does
 * not say finished by then (`handoff reconcile` reports what is left).
 */
const FINISHED_AT_THE_LATEST_MS = 60 * 60_000;

/** The job to write before sending the import; `bulkCheckOfBatch` adds the batch id once the CRM answered. */
export function bulkCheckBeforeSending(connection: CrmConnection, contactIds: number[], sentAt: number): JobRequest {
  const payload: BulkCheckPayload = { batchId: null, sentAt, contactIds };
  return {
    kind: bulkCheckJobKind(connection.name),
    key: `${sentAt}-${contactIds[0] ?? 0}`,
    runAt: sentAt + POLL_FIRST_MS,
    payload: { ...payload },
  };
}

export function bulkCheckOfBatch(before: JobRequest, batchId: string): JobRequest {
  return { ...before, payload: { ...before.payload, batchId } };
}

export async function checkBulkImport(
  ctx: AppContext,
  connection: CrmConnection,
  job: ClaimedJob,
): Promise<RetryLater | void> {
  const { batchId, sentAt } = job.payload as unknown as BulkCheckPayload;
  const now = ctx.clock.now();
  const latest = sentAt + FINISHED_AT_THE_LATEST_MS;
  if (now >= latest) {
    ctx.log.warn(
      { connector: connection.name, batchId },
      'bulk import not reported finished in time; taken as finished',
    );
    return;
  }
  const tagger = connection.connector.bulkTagger;
  if (batchId === null || !tagger) {
    return {
      retryAfterMs: latest - now,
      spendAttempt: false,
      reason: `${connection.name}: a bulk import whose answer was not recorded; taken as finished an hour after it was sent`,
    };
  }
  const scope: RateBudgetScope = { pool: ctx.pool, clock: ctx.clock, connector: connection.connector };
  try {
    if ((await withinRateBudget(scope, () => tagger.batchStatus(batchId))) === 'finished') return;
  } catch (error) {
    return handleCrmFailure(ctx, connection, null, scope, error);
  }
  return {
    retryAfterMs: Math.min(POLL_MAX_MS, latest - now, Math.max(POLL_FIRST_MS, (now - sentAt) / 2)),
    spendAttempt: false,
    reason: `${connection.name}: bulk import ${batchId} not finished yet`,
  };
}

/** How long a job waiting for an unfinished import carrying its person (an erasure, a push after an e-mail change) waits before asking again. */
export const WAIT_FOR_OUTSTANDING_IMPORT_MS = 15_000;

/** Whether a bulk import that carried this contact may still be run by the CRM. */
export function inOutstandingBulkImport(db: Queryable, connectionName: string, contactId: number): Promise<boolean> {
  return hasUnfinishedJobWhosePayloadHolds(db, bulkCheckJobKind(connectionName), { contactIds: [contactId] });
}
