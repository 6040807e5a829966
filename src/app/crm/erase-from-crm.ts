/**
 * The `crm.erase:<name>` job: deletes a person erased in Handoff (GDPR) from one CRM, with the
 * same rate budget, pause and retry rules as sync. Its payload is the one place the e-mail (and
 * the one a bulk import carried them under) lives on after the erasure, and only until the job
 * completes (done jobs are deleted) or is given up on (dead: the e-mails are removed, migrations
 * 014 and 036).
 */
import type { AppContext } from '../context.ts';
import type { CrmConnection } from './crm-connections.ts';
import { withinRateBudget, type RateBudgetScope } from './rate-budget-scope.ts';
import { handleCrmFailure } from './sync-contact.ts';
import { inOutstandingBulkImport, WAIT_FOR_OUTSTANDING_IMPORT_MS } from './bulk-import-check.ts';
import type { ClaimedJob, RetryLater } from '../../ports/jobs.ts';

export async function eraseFromCrm(
  ctx: AppContext,
  connection: CrmConnection,
  job: ClaimedJob,
): Promise<RetryLater | void> {
  // A job retried after it was given up on has lost the e-mails (migrations 014, 036); the connectors delete by their own id.
  const {
    email = '',
    remoteId,
    importedEmail = null,
    formerRemoteIds = [],
  } = job.payload as {
    email?: string;
    remoteId: string | null;
    importedEmail?: string | null;
    formerRemoteIds?: string[];
  };
  if (remoteId === null && importedEmail === null && formerRemoteIds.length === 0) {
    // Neither a push nor a bulk import ever carried this person to this CRM: nothing of ours is there.
    ctx.log.info({ connector: connection.name, job: job.id }, 'erased contact was never synced to this CRM');
    return;
  }
  // A bulk import carrying the person, run by the CRM after the deletion, would create them again.
  const contactId = Number(job.key.replace(/^erase:/, ''));
  if (await inOutstandingBulkImport(ctx.pool, connection.name, contactId)) {
    return {
      retryAfterMs: WAIT_FOR_OUTSTANDING_IMPORT_MS,
      spendAttempt: false,
      reason: `${connection.name}: waiting for a bulk import carrying this person to be finished`,
    };
  }
  const scope: RateBudgetScope = { pool: ctx.pool, clock: ctx.clock, connector: connection.connector };
  try {
    const deleted = await withinRateBudget(scope, async () => {
      // The record they are known by, and those a change of e-mail left behind (with the old address).
      const ids = new Set([...(remoteId === null ? [] : [remoteId]), ...formerRemoteIds]);
      // The record an import created, found by the e-mail it carried (Handoff may never have learnt
      // its id, or the person changed e-mail since and their own push went to another record).
      const tagger = connection.connector.bulkTagger;
      const imported = importedEmail !== null && tagger ? await tagger.findContactId(importedEmail) : null;
      if (imported !== null) ids.add(imported);
      for (const id of ids) await connection.connector.deleteContact(id, email);
      return ids.size;
    });
    ctx.log.info({ connector: connection.name, job: job.id, records: deleted }, 'erased contact deleted from the CRM');
  } catch (error) {
    return handleCrmFailure(ctx, connection, null, scope, error);
  }
}
