import { buildAccessAllyRequest, type AccessAllyPerson } from '../../adapters/accessally/accessally-request.ts';
import { AccessAllyWebhookError, postAccessAllyWebhook } from '../../adapters/accessally/accessally-webhook.ts';
import { loadAccessAllyUser, moveAccessAllyUser, recordAccessAllyCall } from '../../adapters/store/accessally-users.ts';
import { findContactById } from '../../adapters/store/contacts.ts';
import { loadCrmContactState } from '../../adapters/store/crm-contacts.ts';
import { hasUnfinishedJob } from '../../adapters/store/job-health.ts';
import type { AppContext } from '../context.ts';
import { crmSyncJobKind } from './crm-connections.ts';
import type { AccessAllyTarget } from './crm-sync.ts';
import { PermanentJobError, type ClaimedJob, type RetryLater } from '../../ports/jobs.ts';

/** Key: contact id. Enqueued by CRM sync once the contact's tags reached AccessAlly's CRM. */
export const ACCESSALLY_NOTIFY_JOB = 'accessally.notify';

/**
 * Tells AccessAlly about the person once the sync committed their tags, so AccessAlly reads the
 * new ones (docs/accessally.md): at a person's first access the "create user" call (aal_genpass),
 * once, never to someone who already has a user; otherwise the update call (aal_updateuser). A
 * failing site is retried like any job, a 4xx dead-letters.
 */
export async function notifyAccessAlly(
  ctx: AppContext,
  target: AccessAllyTarget,
  job: ClaimedJob,
): Promise<RetryLater | void> {
  const contactId = Number(job.key);
  const contact = await findContactById(ctx.pool, contactId);
  if (!contact) return;
  // The sync pushes a buyer's access tags first and the rest later: AccessAlly is told once all are there.
  if (await syncStillDue(ctx, target, contactId)) {
    return {
      retryAfterMs: SYNC_POLL_MS,
      spendAttempt: false,
      reason: 'waiting for the CRM sync of this contact to finish',
    };
  }
  const state = await loadCrmContactState(ctx.pool, target.connection, contactId);
  // Not in the CRM yet: the sync enqueues this job again once it is.
  if (state.remoteId === null) return;
  const person: AccessAllyPerson = {
    remoteId: state.remoteId,
    email: contact.email,
    firstName: contact.firstName,
    knownSince: contact.createdAt,
  };
  const update = async (): Promise<void> => {
    await post(target.webhookUrl, target, person);
    await recordAccessAllyCall(ctx.pool, contactId, 'update', ctx.clock.now());
  };
  if (target.newUserWebhookUrl === null) return update();

  const user = await loadAccessAllyUser(ctx.pool, contactId);
  const hasAccess = contact.ledger?.access.some((entry) => entry.granted) ?? false;
  // First access, not yet checked against the CRM: the sync enqueues this job again once it is.
  if (user === null && hasAccess) return;
  if (user === 'creating') {
    // The create call went out and no answer was recorded (the process stopped meanwhile). Sending it
    // again could give an existing user a new password, so a person decides (docs/accessally.md).
    throw new PermanentJobError(
      `AccessAlly's create-user call for ${contact.email} was sent but its answer was not recorded; check AccessAlly > Settings > Developer Tools > Detailed Log, and if no user was created, create one there`,
    );
  }
  if (user !== 'to_create') return update();
  // Claimed before the call, so no other worker (and no retry after a crash) sends it a second time.
  if (!(await moveAccessAllyUser(ctx.pool, contactId, 'to_create', 'creating', ctx.clock.now()))) return;
  try {
    await post(target.newUserWebhookUrl, target, person);
  } catch (error) {
    // The site answered with an error, or could not be reached: no user was created, so the call may be retried.
    await moveAccessAllyUser(ctx.pool, contactId, 'creating', 'to_create', ctx.clock.now());
    throw error;
  }
  await moveAccessAllyUser(ctx.pool, contactId, 'creating', 'created', ctx.clock.now());
  await recordAccessAllyCall(ctx.pool, contactId, 'create', ctx.clock.now());
}

/** How soon a notification waiting for its contact's sync looks again. */
const SYNC_POLL_MS = 5_000;

async function syncStillDue(ctx: AppContext, target: AccessAllyTarget, contactId: number): Promise<boolean> {
  return hasUnfinishedJob(ctx.pool, crmSyncJobKind(target.connection), String(contactId));
}

async function post(url: string, target: AccessAllyTarget, person: AccessAllyPerson): Promise<void> {
  try {
    await postAccessAllyWebhook(url, buildAccessAllyRequest(target.callShape, person));
  } catch (error) {
    if (error instanceof AccessAllyWebhookError && !error.retriable) throw new PermanentJobError(error.message);
    throw error;
  }
}
