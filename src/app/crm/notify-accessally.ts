import { PermanentJobError, type ClaimedJob } from '../../adapters/jobs/job-worker.ts';
import { AccessAllyWebhookError, postAccessAllyWebhook } from '../../adapters/accessally/accessally-webhook.ts';
import { findContactById } from '../../adapters/store/contacts.ts';
import { loadCrmContactState } from '../../adapters/store/crm-contacts.ts';
import type { AppContext } from '../context.ts';
import type { AccessAllyTarget } from './crm-sync.ts';

/** Key: contact id. Enqueued by CRM sync once the contact's tags reached AccessAlly's CRM. */
export const ACCESSALLY_NOTIFY_JOB = 'accessally.notify';

/**
 * Tells AccessAlly to refresh the person from the CRM. Runs after the sync committed the tags, so
 * AccessAlly reads the new ones; a failing site is retried like any job, a 4xx dead-letters.
 */
export async function notifyAccessAlly(ctx: AppContext, target: AccessAllyTarget, job: ClaimedJob): Promise<void> {
  const contactId = Number(job.key);
  const contact = await findContactById(ctx.pool, contactId);
  if (!contact) return;
  const state = await loadCrmContactState(ctx.pool, target.connection, contactId);
  // Not in the CRM yet: the sync enqueues this job again once it is.
  if (state.remoteId === null) return;
  try {
    await postAccessAllyWebhook(target.webhookUrl, target.fields, { remoteId: state.remoteId, email: contact.email });
  } catch (error) {
    if (error instanceof AccessAllyWebhookError && !error.retriable) throw new PermanentJobError(error.message);
    throw error;
  }
}
