import { enqueueJob } from '../../adapters/jobs/enqueue-job.ts';
import type { Queryable } from '../../adapters/store/database.ts';
import {
  caseIdentity,
  deleteDunningCases,
  loadContactCases,
  upsertDunningCase,
  type StoredDunningCase,
} from '../../adapters/store/dunning-cases.ts';
import { finishedSteps } from '../../adapters/store/dunning-emails.ts';
import type { DunningCase } from '../../core/dunning/dunning-case.ts';
import { deriveDunningCases } from '../../core/dunning/derive-dunning-cases.ts';
import { emailsToSchedule } from '../../core/dunning/email-step.ts';
import type { HistoryEntry } from '../../core/ledger/fold.ts';
import type { AppContext } from '../context.ts';
import { announceDunningCase } from '../webhooks/announce-dunning-case.ts';
import { DUNNING_EMAIL_JOB, emailJobKey } from './send-dunning-email.ts';

/**
 * Stores the contact's dunning cases as the history tells them at `now`, inside the caller's
 * transaction (the one that re-folded the contact), and enqueues the e-mails that follow in that
 * same transaction: a committed failure always has its reminders, a rolled-back one never does.
 */
export async function syncDunningCases(
  ctx: AppContext,
  db: Queryable,
  contactId: number,
  history: readonly HistoryEntry[],
  now: number,
): Promise<void> {
  await storeDunningCases(
    ctx,
    db,
    contactId,
    await loadContactCases(db, contactId),
    deriveDunningCases(history, ctx.rules, now),
    now,
  );
}

/**
 * Stores `cases` (derived from the contact's history) over the contact's `stored` ones, enqueues
 * their e-mails and announces their changes; stored cases no longer derived are deleted. A new
 * contact has none stored (app/intake/write-new-contact.ts).
 */
export async function storeDunningCases(
  ctx: AppContext,
  db: Queryable,
  contactId: number,
  stored: ReadonlyMap<string, StoredDunningCase>,
  cases: readonly DunningCase[],
  now: number,
): Promise<void> {
  const stale = new Map(stored);
  for (const dunningCase of cases) {
    const identity = caseIdentity(dunningCase);
    const before = stale.get(identity)?.state ?? null;
    stale.delete(identity);
    const caseId = await upsertDunningCase(db, contactId, dunningCase, now);
    await announceDunningCase(ctx, db, contactId, dunningCase, before);
    const policy = ctx.rules.dunning.get(dunningCase.item);
    // A case that was closed and stays closed has nothing left to send; a simulated one sends nothing.
    if (!policy || ctx.insideHandoffOnly || (before === dunningCase.state && dunningCase.state !== 'open')) continue;
    const recorded = await finishedSteps(db, caseId);
    for (const email of emailsToSchedule(before, dunningCase, policy, now, recorded)) {
      await enqueueJob(db, { kind: DUNNING_EMAIL_JOB, key: emailJobKey(caseId, email.step), runAt: email.runAt });
    }
  }
  await deleteDunningCases(
    db,
    [...stale.values()].map((dunningCase) => dunningCase.id),
  );
}
