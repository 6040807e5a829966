/**
 * The e-mail half of the crash scenario. Some buyers also hold a dunned monthly membership whose
 * payment fails (reported twice: the failure and the processor's retry of the same invoice a
 * minute later); those reports are mixed among the purchases, so the spawned Handoff sends the
 * day-0 reminders over real SMTP while it is being killed. Each life of the process (and the
 * test's final run) talks to an SMTP server of its own, so every message received is known to
 * come from one life.
 *
 * The guarantee checked is docs/how-it-works.md's: claim, then send, then mark — at most one duplicate on a
 * crash, never a lost reminder. Right after each SIGKILL the test reads from the database which
 * reminders the dead process had claimed and not marked sent (the only ones a kill can leave
 * "sent but not known to be"). A second copy is allowed only for one of those, when the first copy
 * came from that process; a third never.
 */
import type pg from 'pg';
import { startSmtpReceiver, type ReceivedEmail, type SmtpReceiver } from '../../dunning/smtp-receiver.ts';
import { BODY_NUMBER, distinctBodies, emailOf } from './distinct-bodies.ts';

/** A monthly membership with the default dunning policy: reminders on days 0 (at once), 3 and 7. */
export const DUNNED_ITEM = 'product-40';
/**
 * Handoff first hears of the membership through its failure, so the reminder names it as that
 * body does (base_product_name), not by the item key.
 */
export const REMINDER_SUBJECT = "Your payment for Course 40 & Community didn't go through";
export const MAIL_FROM = 'Focus School <hello@focusschool.test>';

/**
 * The spawned processes' SMTP servers hold each message this long before answering "250 OK" (a
 * provider scanning it), so a kill regularly lands between "the mail server has it" and "Handoff
 * marked it sent": the moment the one-duplicate allowance is about.
 */
const ANSWER_DELAY_MS = 1_000;

export type DeliveryKind = 'purchase' | 'failure' | 'failure-retry';

export interface Delivery {
  kind: DeliveryKind;
  /** The buyer's number (distinct-bodies numbering: email, customer id, order ids). */
  number: number;
  body: string;
}

/**
 * Failed membership payments of buyers `first` to `first + count - 1` (an order of its own,
 * `9<number>`): the failure two minutes before `now`, the processor's retry one minute later.
 */
export function failedPayments(
  first: number,
  count: number,
  now: number,
): { failures: Delivery[]; retries: Delivery[] } {
  const reports = (minutesAgo: number, kind: DeliveryKind): Delivery[] =>
    distinctBodies('failed', first, count, {
      item: DUNNED_ITEM,
      orderId: `9${BODY_NUMBER}`,
      amountCents: 4700,
      occurredAt: new Date(now - minutesAgo * 60_000),
    }).map((body, index) => ({ kind, number: first + index, body }));
  return { failures: reports(2, 'failure'), retries: reports(1, 'failure-retry') };
}

/**
 * One sending order: the failure reports spread evenly among the purchases, each retry `lag`
 * failures after its first report (so it arrives while that reminder is queued, being sent, or
 * already sent).
 */
export function mixDeliveries(
  purchases: readonly Delivery[],
  failures: readonly Delivery[],
  retries: readonly Delivery[],
  lag: number,
): Delivery[] {
  const reports: Delivery[] = [];
  for (let step = 0; step < failures.length + lag; step += 1) {
    if (step < failures.length) reports.push(failures[step]!);
    if (step >= lag && step - lag < retries.length) reports.push(retries[step - lag]!);
  }
  const total = purchases.length + reports.length;
  const mixed: Delivery[] = [];
  let purchase = 0;
  let report = 0;
  for (let position = 0; position < total; position += 1) {
    const reportsDue = Math.floor(((position + 1) * reports.length) / total);
    mixed.push(report < reportsDue ? reports[report++]! : purchases[purchase++]!);
  }
  return mixed;
}

export function mailYaml(smtpUrl: string): string {
  return `mail:\n  smtp: ${smtpUrl}\n  from: "${MAIL_FROM}"\n`;
}

/** One message as received, with the life of the process that sent it. */
export interface ReceivedFromLife extends ReceivedEmail {
  /** 1 for the first process, 2 after the first restart...; `final` is the test's own last run. */
  life: number | 'final';
  /** The life's place in time (lives follow each other, never overlap). */
  order: number;
  /** If that life was killed: the recipients of the reminders it had claimed and not marked sent. Null otherwise. */
  inFlightAtKill: ReadonlySet<string> | null;
}

/** One SMTP server per life of the process, so each message received names its sender. */
export class MailLives {
  private readonly lives: {
    life: number | 'final';
    receiver: SmtpReceiver;
    startedAt: number;
    inFlightAtKill: ReadonlySet<string> | null;
  }[] = [];

  /** Starts the SMTP server of the next life (call it before starting the process); returns its URL. */
  async nextLife(life: number | 'final'): Promise<string> {
    const receiver = await startSmtpReceiver();
    if (life !== 'final') receiver.answerDelayMs = ANSWER_DELAY_MS;
    this.lives.push({ life, receiver, startedAt: Date.now(), inFlightAtKill: null });
    return receiver.url;
  }

  /**
   * Call right after the current life was killed, before the next one starts: records the
   * reminders it claimed and had not marked sent. (Earlier lives' unfinished claims also stay
   * until their leases run out; they are not this life's.)
   */
  async killed(db: pg.Pool): Promise<void> {
    const current = this.lives.at(-1)!;
    const result = await db.query<{ recipient: string }>(
      `select recipient from dunning_emails where state = 'sending' and claimed_at >= to_timestamp($1::float8 / 1000.0)`,
      [current.startedAt],
    );
    current.inFlightAtKill = new Set(result.rows.map((row) => row.recipient));
  }

  received(): ReceivedFromLife[] {
    return this.lives.flatMap(({ life, receiver, inFlightAtKill }, order) =>
      receiver.received.map((email) => ({ ...email, life, order, inFlightAtKill })),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.lives.map(({ receiver }) => receiver.close()));
  }
}

export interface ReminderFindings {
  /** Buyers whose acknowledged failed payment never got its reminder. */
  missing: string[];
  /** Messages that are not a day-0 reminder, as it should read, to one of those buyers. */
  unexpected: string[];
  /** Reminders received more than once where the guarantee does not allow it. */
  forbiddenDuplicates: string[];
  /** Reminders received twice, the first copy from a life killed while that reminder was in flight. */
  allowedDuplicates: { recipient: string; killedLife: number | 'final' }[];
}

/** Compares what the SMTP servers received with the reminders the acknowledged failures call for. */
export function findReminderProblems(
  received: readonly ReceivedFromLife[],
  recipients: readonly string[],
): ReminderFindings {
  const expected = new Set(recipients);
  const byRecipient = new Map<string, ReceivedFromLife[]>();
  const unexpected: string[] = [];
  for (const email of received) {
    const recipient = email.to.join(', ');
    const wrong = [
      !expected.has(recipient) && 'not a buyer whose payment failed',
      email.subject !== REMINDER_SUBJECT && `subject "${email.subject}"`,
      !email.text.includes('Hi Sam,') && 'not addressed to the buyer by name',
      !email.text.includes('$47.00') && 'without the amount due',
    ].filter(Boolean);
    if (wrong.length > 0) unexpected.push(`to ${recipient} from life ${email.life}: ${wrong.join('; ')}`);
    byRecipient.set(recipient, [...(byRecipient.get(recipient) ?? []), email]);
  }
  const forbiddenDuplicates: string[] = [];
  const allowedDuplicates: ReminderFindings['allowedDuplicates'] = [];
  for (const [recipient, copies] of byRecipient) {
    if (copies.length < 2) continue;
    const [first, second] = [...copies].sort((a, b) => a.order - b.order);
    const lives = copies.map((copy) => copy.life).join(', ');
    if (copies.length > 2) forbiddenDuplicates.push(`${recipient}: ${copies.length} copies (lives ${lives})`);
    else if (first!.order === second!.order)
      forbiddenDuplicates.push(`${recipient}: 2 copies, both from life ${first!.life}`);
    else if (!first!.inFlightAtKill?.has(recipient)) {
      const why = first!.inFlightAtKill ? 'killed when it was not in flight' : 'not killed';
      forbiddenDuplicates.push(`${recipient}: 2 copies (lives ${lives}), the first from life ${first!.life}, ${why}`);
    } else allowedDuplicates.push({ recipient, killedLife: first!.life });
  }
  return {
    missing: recipients.filter((recipient) => !byRecipient.has(recipient)),
    unexpected,
    forbiddenDuplicates,
    allowedDuplicates,
  };
}

/**
 * The effect ledger after the final run, per buyer whose payment failed: one open case that
 * counted both reports, its reminder marked sent to the buyer, and no more copies received than
 * times it was claimed (a copy without a claim would break claim-then-send). No other cases.
 */
export async function findCaseProblems(
  db: pg.Pool,
  numbers: readonly number[],
  received: readonly ReceivedFromLife[],
): Promise<string[]> {
  const result = await db.query<{
    email: string;
    state: string;
    failures: number;
    email_state: string | null;
    recipient: string | null;
    attempts: number | null;
  }>(
    `select c.email, dc.state, dc.failures, de.state as email_state, de.recipient, de.attempts
       from dunning_cases dc join contacts c on c.id = dc.contact_id
       left join dunning_emails de on de.case_id = dc.id and de.step = 'reminder-1'`,
  );
  const copies = new Map<string, number>();
  for (const email of received) copies.set(email.to.join(', '), (copies.get(email.to.join(', ')) ?? 0) + 1);
  const problems: string[] = [];
  const cases = new Map(result.rows.map((row) => [row.email, row]));
  if (result.rows.length !== cases.size) problems.push(`${result.rows.length} cases for ${cases.size} buyers`);
  for (const number of numbers) {
    const email = emailOf(number);
    const row = cases.get(email);
    cases.delete(email);
    if (!row) {
      problems.push(`${email}: no dunning case`);
      continue;
    }
    if (row.state !== 'open' || row.failures !== 2)
      problems.push(`${email}: case ${row.state} with ${row.failures} failures (expected open with 2)`);
    if (row.email_state !== 'sent' || row.recipient !== email)
      problems.push(`${email}: reminder ${row.email_state ?? 'never claimed'} to ${row.recipient ?? 'nobody'}`);
    if ((copies.get(email) ?? 0) > (row.attempts ?? 0))
      problems.push(`${email}: ${copies.get(email)} copies received, claimed ${row.attempts ?? 0} times`);
  }
  for (const email of cases.keys()) problems.push(`${email}: a dunning case without a failed payment`);
  return problems;
}
