import { fullName } from '../../adapters/store/contacts.ts';
import { listDunningCases, type DunningCaseWithContact } from '../../adapters/store/dunning-cases.ts';
import { listEmails, type EmailRecord } from '../../adapters/store/dunning-emails.ts';
import type { DunningCaseState } from '../../core/dunning/dunning-case.ts';
import { reminderStep } from '../../core/dunning/email-step.ts';
import { describeMoney } from '../../core/describe.ts';
import type { AppContext } from '../context.ts';

/**
 * Where one e-mail of a case stands, as a person reads it: `scheduled` (not due or not tried
 * yet), `pending` (tried; the mail server has not accepted it yet and it will be retried), `sent`,
 * `logged` (no SMTP configured), `undeliverable` (the recipient was refused for good).
 */
export type EmailStatus = 'scheduled' | 'pending' | 'sent' | 'logged' | 'undeliverable';

export interface DunningEmailView {
  step: string;
  status: EmailStatus;
  /** ISO; for reminders, when it is (or was) due. */
  dueAt: string | null;
  recipient: string | null;
  attempts: number;
  lastError: string | null;
  /** ISO; when it was accepted, logged or given up. */
  finishedAt: string | null;
}

export interface DunningCaseView {
  id: number;
  email: string;
  name: string | null;
  product: string;
  item: string;
  orderId: string;
  state: DunningCaseState;
  /** ISO times. */
  openedAt: string;
  accessEndsAt: string;
  lostAt: string | null;
  closedAt: string | null;
  failures: number;
  amountDue: string | null;
  /** The next thing that happens to an open case: a reminder, else the end of access; null once closed. */
  nextStep: { step: string; at: string } | null;
  emails: DunningEmailView[];
}

/** Open cases, most urgent first, or closed ones with their outcome, most recent first. */
export async function listDunningCaseViews(
  ctx: AppContext,
  filter: { state: 'open' | 'closed'; limit: number },
): Promise<DunningCaseView[]> {
  const cases = await listDunningCases(ctx.pool, filter);
  const emails = await listEmails(
    ctx.pool,
    cases.map((dunningCase) => dunningCase.id),
  );
  return cases.map((dunningCase) =>
    toView(
      dunningCase,
      emails.filter((email) => email.caseId === dunningCase.id),
    ),
  );
}

function toView(dunningCase: DunningCaseWithContact, records: EmailRecord[]): DunningCaseView {
  const open = dunningCase.state === 'open';
  const byStep = new Map(records.map((record) => [record.step as string, record]));
  const emails: DunningEmailView[] = [];
  for (const reminder of dunningCase.reminders) {
    const step = reminderStep(reminder.number);
    const record = byStep.get(step);
    byStep.delete(step);
    // Reminders never tried on a closed case were stopped by its outcome: not worth listing.
    if (record || open) emails.push(emailView(step, iso(reminder.dueAt), record));
  }
  for (const [step, record] of byStep) emails.push(emailView(step, null, record));
  const next = emails.find(
    (email) =>
      email.dueAt !== null && email.status !== 'sent' && email.status !== 'logged' && email.status !== 'undeliverable',
  );
  return {
    id: dunningCase.id,
    email: dunningCase.email,
    name: fullName(dunningCase.firstName, dunningCase.lastName),
    product: dunningCase.productName,
    item: dunningCase.item,
    orderId: dunningCase.orderId,
    state: dunningCase.state,
    openedAt: iso(dunningCase.openedAt),
    accessEndsAt: iso(dunningCase.graceEndsAt),
    lostAt: dunningCase.lostAt === null ? null : iso(dunningCase.lostAt),
    closedAt: dunningCase.closedAt === null ? null : iso(dunningCase.closedAt),
    failures: dunningCase.failures,
    amountDue:
      dunningCase.amountDueCents === null ? null : describeMoney(dunningCase.amountDueCents, dunningCase.currency),
    nextStep: !open
      ? null
      : next
        ? { step: next.step, at: next.dueAt! }
        : { step: 'access-ends', at: iso(dunningCase.graceEndsAt) },
    emails,
  };
}

function emailView(step: string, dueAt: string | null, record: EmailRecord | undefined): DunningEmailView {
  return {
    step,
    status: !record
      ? 'scheduled'
      : record.state === 'sending' || record.state === 'retrying'
        ? 'pending'
        : record.state,
    dueAt,
    recipient: record?.recipient ?? null,
    attempts: record?.attempts ?? 0,
    lastError: record?.lastError ?? null,
    finishedAt: record?.finishedAt == null ? null : iso(record.finishedAt),
  };
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
