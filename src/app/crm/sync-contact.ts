/**
 * The `crm.sync:<name>` job: makes one CRM hold the managed tags the ledger wants for one
 * contact. It re-reads the contact when it runs, so a burst of changes coalesced into one job
 * pushes the final state once, and pushes only the difference from what Handoff last knew the
 * CRM to hold, recording progress after every call so a retry never repeats a finished change.
 */
import { CrmError, type CrmConnector } from '../../ports/crm-connector.ts';
import { detailsToPush } from '../../core/tag-sync/contact-details.ts';
import { diffManagedTags } from '../../core/tag-sync/tag-diff.ts';
import { enqueueJob } from '../../adapters/jobs/enqueue-job.ts';
import { PermanentJobError, type ClaimedJob, type RetryLater } from '../../adapters/jobs/job-worker.ts';
import { findContactById, type ContactRow } from '../../adapters/store/contacts.ts';
import { loadCrmContactState, recordCrmContactError, saveCrmContactState, UNSYNCED, type CrmContactState } from '../../adapters/store/crm-contacts.ts';
import { recordThrottle } from '../../adapters/store/crm-rate-budgets.ts';
import type { AppContext } from '../context.ts';
import { holdWhilePaused, pauseForRefusedCredentials } from './connector-pause.ts';
import type { CrmConnection } from './crm-connections.ts';
import type { CrmSync } from './crm-sync.ts';
import { ACCESSALLY_NOTIFY_JOB } from './notify-accessally.ts';
import { withinRateBudget, type RateBudgetScope } from './rate-budget-scope.ts';

export async function syncContactToCrm(ctx: AppContext, sync: CrmSync, connection: CrmConnection, job: ClaimedJob): Promise<RetryLater | void> {
  const held = await holdWhilePaused(ctx, connection);
  if (held) return held;
  const contact = await findContactById(ctx.pool, Number(job.key));
  // Merged into another contact, whose own job pushes the merged state.
  if (!contact) return;
  const scope: RateBudgetScope = { pool: ctx.pool, clock: ctx.clock, connector: connection.connector };
  try {
    const changed = await withinRateBudget(scope, () => pushContact(ctx, sync, connection, contact));
    if (changed && sync.accessAlly?.connection === connection.name) {
      await enqueueJob(ctx.pool, { kind: ACCESSALLY_NOTIFY_JOB, key: String(contact.id), runAt: ctx.clock.now() });
    }
  } catch (error) {
    return handleCrmFailure(ctx, connection, contact.id, scope, error);
  }
}

/**
 * Pushes the contact, and once more from scratch if the CRM answers 404: the contact was deleted
 * or merged in the CRM, and an upsert by e-mail finds (or recreates) the right one. Returns
 * whether anything was sent.
 */
export async function pushContact(ctx: AppContext, sync: CrmSync, connection: CrmConnection, contact: ContactRow): Promise<boolean> {
  const known = await loadCrmContactState(ctx.pool, connection.name, contact.id);
  try {
    return await pushDifference(ctx, sync, connection, contact, known);
  } catch (error) {
    if (!(error instanceof CrmError && error.kind === 'permanent' && error.details.status === 404) || known.remoteId === null) throw error;
    ctx.log.info({ connector: connection.name, contactId: contact.id }, 'CRM answered 404; looking the contact up again by e-mail');
    return pushDifference(ctx, sync, connection, contact, UNSYNCED);
  }
}

async function pushDifference(ctx: AppContext, sync: CrmSync, connection: CrmConnection, contact: ContactRow, known: CrmContactState): Promise<boolean> {
  const crm: CrmConnector = connection.connector;
  const save = (next: CrmContactState): Promise<void> => saveCrmContactState(ctx.pool, connection.name, contact.id, next, ctx.clock.now());
  let state = known;
  let sent = false;

  const details = detailsToPush(contact, state.pushed);
  if (state.remoteId === null || details !== null) {
    const input = details ?? detailsToPush(contact, null)!;
    const remoteId = await crm.upsertContact(input);
    if (state.remoteId !== null && remoteId !== state.remoteId && state.knownTags.length > 0) {
      // The person changed email and the CRM, matching by email, now holds them twice: the old
      // record must stop granting anything (AccessAlly would keep the old login's access).
      await crm.removeTags(state.remoteId, state.pushed?.email ?? contact.email, state.knownTags);
    }
    state = {
      ...state,
      remoteId,
      // Another CRM contact than before (e-mail changed, contact merged): nothing is known of its tags.
      knownTags: remoteId === state.remoteId ? state.knownTags : [],
      pushed: { email: input.email, firstName: input.firstName ?? state.pushed?.firstName ?? null, lastName: input.lastName ?? state.pushed?.lastName ?? null },
    };
    await save(state);
    sent = true;
  }
  const remoteId = state.remoteId!;

  const desired = Object.keys(contact.ledger?.tags ?? {});
  const diff = diffManagedTags(desired, state.knownTags, sync.managedTags);
  // One tag per call, recorded as it lands: a retry after a failure part-way resends nothing done.
  for (const tag of diff.add) {
    await crm.addTags(remoteId, contact.email, [tag]);
    state = { ...state, knownTags: [...state.knownTags, tag] };
    await save(state);
    sent = true;
  }
  for (const tag of diff.remove) {
    await crm.removeTags(remoteId, contact.email, [tag]);
    state = { ...state, knownTags: state.knownTags.filter((knownTag) => knownTag !== tag) };
    await save(state);
    sent = true;
  }
  await save({ ...state, syncedAt: ctx.clock.now(), lastError: null });
  return sent;
}

/**
 * Turns a failure into what the worker should do: wait without spending an attempt (budget spent,
 * 429, credentials refused), retry with backoff (5xx, network), or dead-letter (other 4xx).
 * `contactId` is where the error is recorded for the console; null when the contact is gone.
 */
export async function handleCrmFailure(ctx: AppContext, connection: CrmConnection, contactId: number | null, scope: RateBudgetScope, error: unknown): Promise<RetryLater> {
  // Checked first: a request held back by the budget reaches here as a "network" failure.
  if (scope.spentForMs !== undefined) {
    return { retryAfterMs: scope.spentForMs, spendAttempt: false, holdsKind: true, reason: `${connection.name}: rate budget spent` };
  }
  if (!(error instanceof CrmError)) throw error;
  const now = ctx.clock.now();
  switch (error.kind) {
    case 'rate_limited': {
      const { budgetKey, budget } = connection.connector;
      const waitMs = await recordThrottle(ctx.pool, budgetKey, budget, error.details.retryAfterMs, now);
      return { retryAfterMs: waitMs, spendAttempt: false, holdsKind: true, reason: `${connection.name}: rate limited (${error.message})` };
    }
    case 'auth':
      return pauseForRefusedCredentials(ctx, connection, error);
    case 'transient':
      if (contactId !== null) await recordCrmContactError(ctx.pool, connection.name, contactId, error.message, now);
      throw error;
    case 'permanent':
      if (contactId !== null) await recordCrmContactError(ctx.pool, connection.name, contactId, error.message, now);
      throw new PermanentJobError(`${connection.name}: ${error.message}`);
  }
}
