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
import { findContactById, type ContactRow } from '../../adapters/store/contacts.ts';
import {
  loadCrmContactState,
  recordCrmContactError,
  rememberFormerCrmRecord,
  saveCrmContactState,
  UNSYNCED,
  type CrmContactState,
} from '../../adapters/store/crm-contacts.ts';
import { recordThrottle } from '../../adapters/store/crm-rate-budgets.ts';
import { decideAccessAllyUser, loadAccessAllyUser } from '../../adapters/store/accessally-users.ts';
import type { AppContext } from '../context.ts';
import { pauseForRefusedCredentials } from './connector-pause.ts';
import type { CrmConnection } from './crm-connections.ts';
import type { CrmSync } from './crm-sync.ts';
import { ACCESSALLY_NOTIFY_JOB } from './notify-accessally.ts';
import { withinRateBudget, type RateBudgetScope } from './rate-budget-scope.ts';
import { queueAccessTagsInBulk, waitWhileQueuedInBulk } from './bulk-access-tags.ts';
import { adoptImportedRecord } from './imported-record.ts';
import { PermanentJobError, type ClaimedJob, type RetryLater } from '../../ports/jobs.ts';
import { realSleep } from './with-patience.ts';
import { systemClock } from '../../ports/clock.ts';

export async function syncContactToCrm(
  ctx: AppContext,
  sync: CrmSync,
  connection: CrmConnection,
  job: ClaimedJob,
): Promise<RetryLater | void> {
  const queuedInBulk = waitWhileQueuedInBulk(connection, Number(job.key), ctx.clock.now());
  if (queuedInBulk) return retryAfterWaiting(connection, queuedInBulk);
  const contact = await findContactById(ctx.pool, Number(job.key));
  // Merged into another contact, whose own job pushes the merged state.
  if (!contact) return;
  const scope: RateBudgetScope = {
    pool: ctx.pool,
    clock: ctx.clock,
    connector: connection.connector,
    sleep: ctx.clock === systemClock ? realSleep : undefined,
  };
  const accessAlly = sync.accessAlly?.connection === connection.name ? sync.accessAlly : null;
  try {
    let decided = false;
    const beforeTheRest = accessAlly?.newUserWebhookUrl
      ? async (state: CrmContactState) => {
          const held = await decideWhetherUserExists(ctx, sync, connection, contact, state);
          decided = held !== undefined;
          return held;
        }
      : undefined;
    const outcome = await withinRateBudget(scope, async () => {
      const known = await loadCrmContactState(ctx.pool, connection.name, contact.id);
      const waitForImport = await adoptImportedRecord(ctx, connection, contact, known);
      if (waitForImport) return waitForImport;
      const bulk = await queueAccessTagsInBulk(ctx, sync, connection, contact, known);
      return bulk.push ? pushContact(ctx, sync, connection, contact, { accessFirst: true, beforeTheRest }) : bulk;
    });
    if ('waitMs' in outcome) return retryAfterWaiting(connection, outcome);
    if (accessAlly && (outcome.sent || decided)) {
      await enqueueJob(ctx.pool, { kind: ACCESSALLY_NOTIFY_JOB, key: String(contact.id), runAt: ctx.clock.now() });
    }
    // Behind every job already waiting: at a launch, each buyer's access tag goes before anyone's other tags.
    if (!outcome.finished)
      return {
        retryAfterMs: 1,
        spendAttempt: false,
        reason: `${connection.name}: access tags pushed; the other changes follow the buyers waiting for theirs`,
      };
  } catch (error) {
    if (
      scope.spentForMs === undefined &&
      error instanceof CrmError &&
      error.kind === 'transient' &&
      job.attempt <= PLACE_KEPT_ATTEMPTS
    ) {
      // A passing 5xx in a backlog: the buyer keeps their place in line (a backoff would put them
      // behind every buyer's remaining tags) and the CRM gets a short pause from everyone.
      await recordCrmContactError(ctx.pool, connection.name, contact.id, error.message, ctx.clock.now());
      return {
        retryAfterMs: TRANSIENT_PAUSE_MS * job.attempt,
        spendAttempt: true,
        holdsKind: true,
        reason: `${connection.name}: ${error.message}`,
      };
    }
    return handleCrmFailure(ctx, connection, contact.id, scope, error);
  }
}

function retryAfterWaiting(connection: CrmConnection, wait: { waitMs: number; reason: string }): RetryLater {
  return { retryAfterMs: wait.waitMs, spendAttempt: false, reason: `${connection.name}: ${wait.reason}` };
}

/** Transient failures retried in place, with a pause of this many ms times the attempt; later ones back off as any job. */
const PLACE_KEPT_ATTEMPTS = 2;
const TRANSIENT_PAUSE_MS = 250;

export interface PushOutcome {
  /** Whether any request changed something in the CRM. */
  sent: boolean;
  /** False when only the access tags were pushed and the rest is still to do. */
  finished: boolean;
}

export interface PushOptions {
  /** A contact gaining access tags gets only those (and the upsert they need) in this push. */
  accessFirst: boolean;
  /**
   * Runs once the access tags are in, before any other tag is added or removed; returns the tags
   * the CRM holds when it read them, so what Handoff knows is corrected before the rest is pushed.
   */
  beforeTheRest?: ((state: CrmContactState) => Promise<string[] | undefined>) | undefined;
}

/**
 * Pushes the contact, and once more from scratch if the CRM answers 404: the contact was deleted
 * or merged in the CRM, and an upsert by e-mail finds (or recreates) the right one.
 */
export async function pushContact(
  ctx: AppContext,
  sync: CrmSync,
  connection: CrmConnection,
  contact: ContactRow,
  options: PushOptions = { accessFirst: false },
): Promise<PushOutcome> {
  const known = await loadCrmContactState(ctx.pool, connection.name, contact.id);
  try {
    return await pushDifference(ctx, sync, connection, contact, known, options);
  } catch (error) {
    if (
      !(error instanceof CrmError && error.kind === 'permanent' && error.details.status === 404) ||
      known.remoteId === null
    )
      throw error;
    ctx.log.info(
      { connector: connection.name, contactId: contact.id },
      'CRM answered 404; looking the contact up again by e-mail',
    );
    return pushDifference(ctx, sync, connection, contact, UNSYNCED, options);
  }
}

async function pushDifference(
  ctx: AppContext,
  sync: CrmSync,
  connection: CrmConnection,
  contact: ContactRow,
  known: CrmContactState,
  options: PushOptions,
): Promise<PushOutcome> {
  const crm: CrmConnector = connection.connector;
  const save = (next: CrmContactState): Promise<void> =>
    saveCrmContactState(ctx.pool, connection.name, contact.id, next, ctx.clock.now());
  let state = known;
  let sent = false;

  const details = detailsToPush(contact, state.pushed);
  if (state.remoteId === null || details !== null) {
    const input = details ?? detailsToPush(contact, null)!;
    const remoteId = await crm.upsertContact(input);
    if (state.remoteId !== null && remoteId !== state.remoteId) {
      // The person changed email and the CRM, matching by email, now holds them twice: the old
      // record must stop granting anything (AccessAlly would keep the old login's access), and an
      // erasure must find it (it keeps the old address).
      await rememberFormerCrmRecord(ctx.pool, connection.name, contact.id, state.remoteId);
      if (state.knownTags.length > 0)
        await crm.removeTags(state.remoteId, state.pushed?.email ?? contact.email, state.knownTags);
    }
    state = {
      ...state,
      remoteId,
      // Another CRM contact than before (e-mail changed, contact merged): nothing is known of its tags.
      knownTags: remoteId === state.remoteId ? state.knownTags : [],
      pushed: {
        email: input.email,
        firstName: input.firstName ?? state.pushed?.firstName ?? null,
        lastName: input.lastName ?? state.pushed?.lastName ?? null,
      },
    };
    await save(state);
    sent = true;
  }
  const remoteId = state.remoteId!;

  const desired = Object.keys(contact.ledger?.tags ?? {});
  const diff = diffManagedTags(desired, state.knownTags, sync.managedTags);
  const accessAdds = options.accessFirst ? diff.add.filter((tag) => sync.accessTags.has(tag)) : [];
  const restWaits = accessAdds.length > 0 && accessAdds.length < diff.add.length + diff.remove.length;
  // One tag per call, recorded as it lands: a retry after a failure part-way resends nothing done.
  const addNow = async (tags: readonly string[]): Promise<void> => {
    for (const tag of tags) {
      await crm.addTags(remoteId, contact.email, [tag]);
      state = { ...state, knownTags: [...state.knownTags, tag] };
      await save(state);
      sent = true;
    }
  };
  await addNow(accessAdds);
  if (restWaits) return { sent, finished: false };
  const held = await options.beforeTheRest?.(state);
  // Managed tags found in the CRM that Handoff did not put there (a revoke tag from before Handoff) are removed too.
  const rest =
    held === undefined
      ? diff
      : diffManagedTags(desired, [...state.knownTags, ...managedNamesIn(held, sync.managedTags)], sync.managedTags);
  if (held !== undefined) {
    state = { ...state, knownTags: [...new Set([...state.knownTags, ...managedNamesIn(held, sync.managedTags)])] };
    await save(state);
  }
  await addNow(rest.add.filter((tag) => !accessAdds.includes(tag)));
  for (const tag of rest.remove) {
    await crm.removeTags(remoteId, contact.email, [tag]);
    state = { ...state, knownTags: state.knownTags.filter((knownTag) => knownTag !== tag) };
    await save(state);
    sent = true;
  }
  await save({ ...state, syncedAt: ctx.clock.now(), lastError: null });
  return { sent, finished: true };
}

/**
 * Before AccessAlly's "create user" call, once per contact at their first access: a contact whose
 * CRM record already held an offering's access or revoke tag that Handoff did not put there had
 * access before Handoff, so has a WordPress user (docs/accessally.md). One read, made once the
 * access tags are in (so at a launch it waits behind every buyer's access tags) and before Handoff
 * removes anything (a revoke tag from before is still there to see). Returns the tags read, or undefined when there was nothing to decide.
 */
async function decideWhetherUserExists(
  ctx: AppContext,
  sync: CrmSync,
  connection: CrmConnection,
  contact: ContactRow,
  state: CrmContactState,
): Promise<string[] | undefined> {
  if (!contact.ledger?.access.some((entry) => entry.granted)) return undefined;
  if (state.remoteId === null || (await loadAccessAllyUser(ctx.pool, contact.id)) !== null) return undefined;
  const held = await connection.connector.readTags(state.remoteId, contact.email);
  // Compared ignoring case: some CRMs (ActiveCampaign) hold one tag per name whatever its case.
  const appliedByHandoff = new Set(state.knownTags.map((tag) => tag.toLowerCase()));
  const offeringTags = new Set([...sync.offeringTags].map((tag) => tag.toLowerCase()));
  const hadAccessBefore = held.some(
    (tag) => offeringTags.has(tag.toLowerCase()) && !appliedByHandoff.has(tag.toLowerCase()),
  );
  await decideAccessAllyUser(ctx.pool, contact.id, hadAccessBefore ? 'existing' : 'to_create', ctx.clock.now());
  return held;
}

/** The managed tags among names read from a CRM, spelled as in the configuration (a CRM may hold another letter case). */
function managedNamesIn(held: readonly string[], managed: ReadonlySet<string>): string[] {
  const byLowerCase = new Map([...managed].map((tag) => [tag.toLowerCase(), tag]));
  return held.flatMap(
    (tag) => byLowerCase.get(tag.toLowerCase()) ?? (managed.has(tag.toLowerCase()) ? [tag.toLowerCase()] : []),
  );
}

/**
 * Turns a failure into what the worker should do: wait without spending an attempt (budget spent,
 * 429, credentials refused), retry with backoff (5xx, network), or dead-letter (other 4xx).
 * `contactId` is where the error is recorded for the console; null when the contact is gone.
 */
export async function handleCrmFailure(
  ctx: AppContext,
  connection: CrmConnection,
  contactId: number | null,
  scope: RateBudgetScope,
  error: unknown,
): Promise<RetryLater> {
  // Checked first: a request held back by the budget reaches here as a "network" failure.
  if (scope.spentForMs !== undefined) {
    return {
      retryAfterMs: scope.spentForMs,
      spendAttempt: false,
      holdsKind: true,
      reason: `${connection.name}: rate budget spent`,
    };
  }
  if (!(error instanceof CrmError)) throw error;
  const now = ctx.clock.now();
  switch (error.kind) {
    case 'rate_limited': {
      const { budgetKey, budget } = connection.connector;
      const waitMs = await recordThrottle(ctx.pool, budgetKey, budget, error.details.retryAfterMs, now);
      return {
        retryAfterMs: waitMs,
        spendAttempt: false,
        holdsKind: true,
        reason: `${connection.name}: rate limited (${error.message})`,
      };
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
