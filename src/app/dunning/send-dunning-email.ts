import { MailDeliveryError, type Mailer, type MailOutcome, type OutgoingEmail } from '../../adapters/mail/mailer.ts';
import { renderTemplate } from '../../adapters/mail/templates.ts';
import { findContactById } from '../../adapters/store/contacts.ts';
import { withTransaction, type Queryable } from '../../adapters/store/database.ts';
import { enqueueJob } from '../../adapters/jobs/enqueue-job.ts';
import { findDunningCase, type StoredDunningCase } from '../../adapters/store/dunning-cases.ts';
import {
  claimEmail,
  finishEmail,
  finishedSteps,
  markEmailRetrying,
  releaseInterruptedClaim,
  remindersSoFar,
} from '../../adapters/store/dunning-emails.ts';
import {
  parseEmailStep,
  recoveredEmailFollows,
  reminderNumber,
  whyNotSend,
  type DunningEmailStep,
} from '../../core/dunning/email-step.ts';
import type { AppContext } from '../context.ts';
import { composeDunningEmail } from './email-content.ts';
import { PermanentJobError, type ClaimedJob, type RetryLater } from '../../ports/jobs.ts';

/** One e-mail of one dunning case; key `<case id>:<step>` (e.g. `17:reminder-2`), no payload. */
export const DUNNING_EMAIL_JOB = 'dunning.email';

/** SMTP outages are waited out, never given up on: retries back off from a minute to an hour. */
const SMTP_RETRY_BASE_MS = 60_000;
const SMTP_RETRY_MAX_MS = 3_600_000;

export function emailJobKey(caseId: number, step: DunningEmailStep): string {
  return `${caseId}:${step}`;
}

/**
 * Job handler. Re-reads the case (a payment or cancellation since scheduling stops the e-mail),
 * then follows the effect ledger's protocol: claim the step and COMMIT, send, then mark it sent.
 * A crash after the mail server accepted the message but before the mark leaves the claim in
 * place, and the job's retry sends again: at most one duplicate, never a lost e-mail.
 */
export async function sendDunningEmail(ctx: AppContext, mailer: Mailer, job: ClaimedJob): Promise<RetryLater | void> {
  const separator = job.key.indexOf(':');
  const caseId = Number(job.key.slice(0, separator));
  const step = parseEmailStep(job.key.slice(separator + 1));
  if (separator < 1 || !Number.isInteger(caseId) || !step)
    throw new PermanentJobError(`not a dunning e-mail key: ${job.key}`);

  const claimed = await withTransaction(ctx.pool, (client) => claimIfStillDue(ctx, client, caseId, step));
  if (!claimed) return;

  let outcome: MailOutcome;
  try {
    outcome = await mailer.send(claimed.email);
  } catch (error) {
    if (!(error instanceof MailDeliveryError)) throw error;
    if (error.permanent) {
      ctx.log.warn({ caseId, step, error: error.message }, 'dunning e-mail refused for good by the mail server');
      await finishEmail(
        ctx.pool,
        caseId,
        step,
        { state: 'undeliverable', messageId: null, error: error.message },
        ctx.clock.now(),
      );
      return;
    }
    await markEmailRetrying(ctx.pool, caseId, step, error.message);
    return waitForMailServer(claimed.attempts, error.message);
  }
  await withTransaction(ctx.pool, async (client) => {
    // Locked first, like the outcome e-mail's decision, so the two cannot pass each other (see below).
    const dunningCase = await findDunningCase(client, caseId, { forUpdate: true });
    const now = ctx.clock.now();
    await finishEmail(
      client,
      caseId,
      step,
      outcome.delivery === 'sent'
        ? { state: 'sent', messageId: outcome.messageId, error: null }
        : { state: 'logged', messageId: null, error: null },
      now,
    );
    await askForOutcomeEmailIfPaidMeanwhile(ctx, client, dunningCase, step, now);
  });
  ctx.log.info({ caseId, step, delivery: outcome.delivery }, 'dunning e-mail done');
}

/**
 * The retry of an e-mail the mail server did not take (unreachable, 4xx): backs off from a minute
 * to an hour over `attempts`. Waiting for the mail server is not the job's fault: no attempt is
 * spent, so it is never dead-lettered.
 */
export function waitForMailServer(attempts: number, reason: string): RetryLater {
  const ceiling = Math.min(SMTP_RETRY_MAX_MS, SMTP_RETRY_BASE_MS * 2 ** (Math.max(1, attempts) - 1));
  return { retryAfterMs: ceiling / 2 + (Math.random() * ceiling) / 2, spendAttempt: false, reason };
}

/**
 * A reminder that finished after its case was paid: the "you're all set" e-mail, decided while this
 * reminder was still being sent, was held back (whyNotSend); now that a reminder went out it
 * follows (recoveredEmailFollows). Both decisions lock the case, so one always sees the other.
 */
async function askForOutcomeEmailIfPaidMeanwhile(
  ctx: AppContext,
  client: Queryable,
  dunningCase: StoredDunningCase | null,
  step: DunningEmailStep,
  now: number,
): Promise<void> {
  if (!dunningCase || reminderNumber(step) === null) return;
  const policy = ctx.rules.dunning.get(dunningCase.item);
  if (!policy || !recoveredEmailFollows(dunningCase, policy, { sent: true, inFlight: false })) return;
  if ((await finishedSteps(client, dunningCase.id)).has('recovered')) return;
  await enqueueJob(client, { kind: DUNNING_EMAIL_JOB, key: emailJobKey(dunningCase.id, 'recovered'), runAt: now });
}

async function claimIfStillDue(
  ctx: AppContext,
  client: Queryable,
  caseId: number,
  step: DunningEmailStep,
): Promise<{ email: OutgoingEmail; attempts: number } | null> {
  const now = ctx.clock.now();
  const dunningCase = await findDunningCase(client, caseId, { forUpdate: true });
  if (!dunningCase) return null;
  const policy = ctx.rules.dunning.get(dunningCase.item);
  const why = whyNotSend(step, dunningCase, policy, now, await remindersSoFar(client, caseId));
  if (why !== null || !policy) {
    ctx.log.info({ caseId, step, why }, 'dunning e-mail not sent');
    // This job runs one at a time per step, so a claim of its own step still "sending" was left by a run that died.
    if (reminderNumber(step) !== null) await releaseInterruptedClaim(client, caseId, step, why ?? 'no policy');
    return null;
  }
  const contact = await findContactById(client, dunningCase.contactId);
  if (!contact) return null;
  const composed = composeDunningEmail(step, dunningCase, contact, policy, ctx.config, now);
  // Rendered before claiming: a broken template fails the job without leaving a claim behind.
  const rendered = renderTemplate(composed.template, composed.variables, ctx.config.mail?.templatesDir);
  const claim = await claimEmail(client, caseId, step, composed.to, now);
  return claim ? { email: { to: composed.to, ...rendered }, attempts: claim.attempts } : null;
}
