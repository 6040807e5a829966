import type { DunningPolicy } from '../../config/schema.ts';
import type { DunningCase, DunningCaseState } from './dunning-case.ts';

/**
 * An e-mail a dunning case can cause. Each is sent at most once per case: the step is the second
 * half of the effect ledger's key (case, step).
 * - `reminder-<n>`: the n-th reminder to the customer, while the case is open.
 * - `recovered`: "you're all set" to the customer, once the charge is paid, if a reminder went out
 *   (recoveredEmailFollows).
 * - `lost`: to the creator (`notifyOwner`), when the grace period ran out unpaid.
 */
export type DunningEmailStep = `reminder-${number}` | 'recovered' | 'lost';

export function reminderStep(number: number): DunningEmailStep {
  return `reminder-${number}`;
}

/** The step named by a job key's suffix; null for anything else. */
export function parseEmailStep(text: string): DunningEmailStep | null {
  if (text === 'recovered' || text === 'lost') return text;
  const reminder = /^reminder-([1-9][0-9]*)$/.exec(text);
  return reminder ? reminderStep(Number(reminder[1])) : null;
}

/** The reminder number of a reminder step; null for the other steps. */
export function reminderNumber(step: DunningEmailStep): number | null {
  return step.startsWith('reminder-') ? Number(step.slice('reminder-'.length)) : null;
}

/**
 * What the effect ledger says of a case's reminders. `sent`: at least one reached the mail server
 * (or the log, without SMTP). `inFlight`: one is claimed and its SMTP conversation not finished,
 * so whether it went out is not known yet.
 */
export interface RemindersSoFar {
  sent: boolean;
  inFlight: boolean;
}

export function isRecovered(state: DunningCaseState): boolean {
  return state === 'recovered' || state === 'recovered-after-loss';
}

/**
 * The rule for the customer's outcome e-mail: "you're all set" follows exactly when the case is
 * paid and at least one reminder about it went out. It answers a reminder; without one the
 * customer never heard of a problem (the payment arrived before the first reminder was due, or
 * the failure was reported only after the payment or after the grace period), and a "you're all
 * set" would be news about a problem they did not know of. Whatever order the failure and the
 * payment arrive in, and whenever the reminder job runs, the rule gives the same answer: the
 * e-mail job asks it when it runs, and a reminder that finishes after the case was paid asks for
 * the e-mail itself (see sendDunningEmail).
 */
export function recoveredEmailFollows(
  dunningCase: Pick<DunningCase, 'state'>,
  policy: DunningPolicy,
  reminders: RemindersSoFar,
): boolean {
  return isRecovered(dunningCase.state) && policy.recoveredEmail && reminders.sent;
}

/**
 * Why an e-mail must not go out now (the case moved on since it was scheduled), or null when it
 * should. Re-checked when the e-mail job runs, so a payment or a cancellation stops what is queued.
 */
export function whyNotSend(
  step: DunningEmailStep,
  dunningCase: DunningCase,
  policy: DunningPolicy | undefined,
  now: number,
  reminders: RemindersSoFar,
): string | null {
  if (!policy) return 'the item no longer has a dunning policy';
  const number = reminderNumber(step);
  if (number !== null) {
    if (dunningCase.state !== 'open') return `the case is ${dunningCase.state}`;
    if (now >= dunningCase.graceEndsAt) return 'the grace period has ended';
    if (!dunningCase.reminders.some((reminder) => reminder.number === number))
      return `the policy has no reminder ${number}`;
    return null;
  }
  if (step === 'recovered') {
    if (!isRecovered(dunningCase.state)) return `the case is ${dunningCase.state}`;
    if (!policy.recoveredEmail) return 'recoveredEmail is off';
    if (recoveredEmailFollows(dunningCase, policy, reminders)) return null;
    // A reminder still being sent decides when it finishes: it asks for this e-mail if it went out.
    return reminders.inFlight ? 'a reminder is still being sent' : 'no reminder was sent for this case';
  }
  if (dunningCase.state !== 'lost') return `the case is ${dunningCase.state}`;
  return policy.notifyOwner ? null : 'notifyOwner is not set';
}

export interface ScheduledEmail {
  step: DunningEmailStep;
  runAt: number;
}

/**
 * The e-mail jobs to (re-)enqueue after a case was derived anew. Reminders: every one still
 * ahead, plus the latest one already due, so a case discovered late (a delayed delivery) gets
 * one reminder now rather than a burst of overdue ones. Outcome e-mails only on a change of state
 * seen here (`before` is the stored state, null for a new case): replaying old history never
 * mails anyone about an outcome from the past. `recorded` are steps already in the effect ledger.
 */
export function emailsToSchedule(
  before: DunningCaseState | null,
  after: DunningCase,
  policy: DunningPolicy,
  now: number,
  recorded: ReadonlySet<DunningEmailStep>,
): ScheduledEmail[] {
  const scheduled: ScheduledEmail[] = [];
  if (after.state === 'open') {
    const due = after.reminders.filter((reminder) => reminder.dueAt <= now);
    const latestDue = due[due.length - 1];
    for (const reminder of after.reminders) {
      if (reminder.dueAt > now || reminder === latestDue)
        scheduled.push({ step: reminderStep(reminder.number), runAt: reminder.dueAt });
    }
  }
  // Whether it goes out is decided when it runs (recoveredEmailFollows), from the reminders sent by then.
  const wasUnpaid = before === 'open' || before === 'lost';
  if (wasUnpaid && isRecovered(after.state) && policy.recoveredEmail) scheduled.push({ step: 'recovered', runAt: now });
  if (before === 'open' && after.state === 'lost' && policy.notifyOwner) scheduled.push({ step: 'lost', runAt: now });
  return scheduled.filter((email) => !recorded.has(email.step));
}
