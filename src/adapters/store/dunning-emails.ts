import type { DunningEmailStep, RemindersSoFar } from '../../core/dunning/email-step.ts';
import type { Queryable } from './database.ts';

/**
 * Where one e-mail of a case stands in the effect ledger.
 * - sending: claimed and committed; the SMTP conversation is under way, or a crash interrupted it
 *   (the retry sends again).
 * - retrying: the mail server refused or was unreachable; the job retries later.
 * - sent: the mail server accepted it. logged: no SMTP configured, it was written to the log.
 * - undeliverable: the mail server refused the recipient for good (5xx); retrying cannot help.
 */
export type EmailState = 'sending' | 'retrying' | 'sent' | 'logged' | 'undeliverable';

export interface EmailRecord {
  caseId: number;
  step: DunningEmailStep;
  state: EmailState;
  recipient: string;
  attempts: number;
  lastError: string | null;
  messageId: string | null;
  /** When the current state was reached: accepted, logged or given up; null while in flight. */
  finishedAt: number | null;
}

/** Steps that need no more work: done one way or another. */
export async function finishedSteps(db: Queryable, caseId: number): Promise<Set<DunningEmailStep>> {
  const result = await db.query<{ step: DunningEmailStep }>(
    `select step from dunning_emails where case_id = $1 and state in ('sent', 'logged', 'undeliverable')`,
    [caseId],
  );
  return new Set(result.rows.map((row) => row.step));
}

/** Whether any reminder of the case went out, and whether one is being sent right now. */
export async function remindersSoFar(db: Queryable, caseId: number): Promise<RemindersSoFar> {
  const result = await db.query<{ sent: boolean; in_flight: boolean }>(
    `select coalesce(bool_or(state in ('sent', 'logged')), false) as sent, coalesce(bool_or(state = 'sending'), false) as in_flight
       from dunning_emails where case_id = $1 and step like 'reminder-%'`,
    [caseId],
  );
  return { sent: result.rows[0]!.sent, inFlight: result.rows[0]!.in_flight };
}

/**
 * A claim left by a run that died during its SMTP conversation, whose step is no longer due (the
 * case was paid or closed before the retry): nobody will send it again, and whether the first try
 * reached the customer is unknown. It is counted as not sent, so it stops holding the outcome
 * e-mail back.
 */
export async function releaseInterruptedClaim(
  db: Queryable,
  caseId: number,
  step: DunningEmailStep,
  why: string,
): Promise<void> {
  await db.query(
    `update dunning_emails set state = 'retrying', last_error = $3 where case_id = $1 and step = $2 and state = 'sending'`,
    [caseId, step, `interrupted before the mail server answered, and not sent again: ${why}`],
  );
}

/**
 * Claims the step for sending, to be committed BEFORE the mail goes out. Returns false when the
 * step is already finished (the mail went out on an earlier run). A step claimed earlier but
 * never finished (crash, SMTP refusal) is claimed again: that is the at-most-one duplicate.
 */
export async function claimEmail(
  db: Queryable,
  caseId: number,
  step: DunningEmailStep,
  recipient: string,
  now: number,
): Promise<{ attempts: number } | null> {
  const result = await db.query<{ attempts: number }>(
    `insert into dunning_emails (case_id, step, state, recipient, claimed_at) values ($1, $2, 'sending', $3, to_timestamp($4 / 1000.0))
     on conflict (case_id, step) do update set state = 'sending', recipient = excluded.recipient, claimed_at = excluded.claimed_at,
       attempts = dunning_emails.attempts + 1
       where dunning_emails.state in ('sending', 'retrying')
     returning attempts`,
    [caseId, step, recipient, now],
  );
  return result.rows[0] ?? null;
}

export async function finishEmail(
  db: Queryable,
  caseId: number,
  step: DunningEmailStep,
  outcome: { state: 'sent' | 'logged' | 'undeliverable'; messageId: string | null; error: string | null },
  now: number,
): Promise<void> {
  await db.query(
    `update dunning_emails set state = $3, message_id = $4, last_error = $5, finished_at = to_timestamp($6 / 1000.0) where case_id = $1 and step = $2`,
    [caseId, step, outcome.state, outcome.messageId, outcome.error, now],
  );
}

export async function markEmailRetrying(
  db: Queryable,
  caseId: number,
  step: DunningEmailStep,
  error: string,
): Promise<void> {
  await db.query(`update dunning_emails set state = 'retrying', last_error = $3 where case_id = $1 and step = $2`, [
    caseId,
    step,
    error,
  ]);
}

export async function listEmails(db: Queryable, caseIds: readonly number[]): Promise<EmailRecord[]> {
  if (caseIds.length === 0) return [];
  const result = await db.query<{
    case_id: number;
    step: DunningEmailStep;
    state: EmailState;
    recipient: string;
    attempts: number;
    last_error: string | null;
    message_id: string | null;
    finished_at: number | null;
  }>(
    `select case_id, step, state, recipient, attempts, last_error, message_id, (extract(epoch from finished_at) * 1000)::float8 as finished_at
       from dunning_emails where case_id = any($1) order by case_id, claimed_at`,
    [caseIds],
  );
  return result.rows.map((row) => ({
    caseId: row.case_id,
    step: row.step,
    state: row.state,
    recipient: row.recipient,
    attempts: row.attempts,
    lastError: row.last_error,
    messageId: row.message_id,
    finishedAt: row.finished_at,
  }));
}

/** A dunning e-mail that reached an end (sent, logged or refused), for a contact's timeline. */
export interface ContactDunningEmail {
  step: string;
  state: 'sent' | 'logged' | 'undeliverable';
  recipient: string;
  productName: string;
  finishedAt: number;
}

export async function listContactDunningEmails(db: Queryable, contactId: number): Promise<ContactDunningEmail[]> {
  const result = await db.query<ContactDunningEmail>(
    `select e.step, e.state, e.recipient, c.product_name as "productName", (extract(epoch from e.finished_at) * 1000)::float8 as "finishedAt"
       from dunning_emails e join dunning_cases c on c.id = e.case_id
      where c.contact_id = $1 and e.state in ('sent', 'logged', 'undeliverable') and e.finished_at is not null
      order by e.finished_at`,
    [contactId],
  );
  return result.rows;
}
