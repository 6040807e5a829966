import { MailDeliveryError, type Mailer, type MailOutcome } from '../../adapters/mail/mailer.ts';
import { renderTemplate } from '../../adapters/mail/templates.ts';
import { findContactById } from '../../adapters/store/contacts.ts';
import { claimTeamEmail, finishTeamEmail, markTeamEmailRetrying } from '../../adapters/store/team-emails.ts';
import { findPool, listMembers, type PoolRow } from '../../adapters/store/teams.ts';
import { offeringName } from '../../core/ledger/rules.ts';
import { PermanentJobError, type ClaimedJob, type RetryLater } from '../../ports/jobs.ts';
import type { AppContext } from '../context.ts';
import { waitForMailServer } from '../dunning/send-dunning-email.ts';
import {
  composeLeaderLinkEmail,
  composeMemberAddedEmail,
  type ComposedTeamEmail,
  type TeamEmailFacts,
} from './team-email-content.ts';

/** The leader's link, e-mailed when a purchase opens a pool or the role moves; key: the pool id. */
export const TEAM_LEADER_EMAIL_JOB = 'team.leader-email';
/** A member just added hears who added them and gets their own link; key `<pool id>:<contact id>`. */
export const TEAM_MEMBER_EMAIL_JOB = 'team.member-email';

export function memberEmailJobKey(poolId: number, contactId: number): string {
  return `${poolId}:${contactId}`;
}

/**
 * Job handler: re-reads the pool when it runs, so the e-mail goes to whoever leads it now, with
 * their current link. Sent at most once (see `send`).
 */
export async function sendLeaderEmail(ctx: AppContext, mailer: Mailer, job: ClaimedJob): Promise<RetryLater | void> {
  const pool = await findPool(ctx.pool, idOf(job.key, job.key));
  if (!pool || pool.leaderContactId === null) return;
  const leader = await findContactById(ctx.pool, pool.leaderContactId);
  if (!leader) return;
  const url = await ctx.teamLinks.currentUrl(ctx.pool, 'leader', pool.id, leader.id);
  return send(
    ctx,
    mailer,
    job,
    { poolId: pool.id, contactId: leader.id },
    composeLeaderLinkEmail(await emailFacts(ctx, pool), url),
  );
}

/** Job handler: only while the person still holds the seat (someone removed at once hears nothing). */
export async function sendMemberEmail(ctx: AppContext, mailer: Mailer, job: ClaimedJob): Promise<RetryLater | void> {
  const [poolPart, contactPart] = job.key.split(':');
  const poolId = idOf(poolPart ?? '', job.key);
  const contactId = idOf(contactPart ?? '', job.key);
  const pool = await findPool(ctx.pool, poolId);
  if (!pool) return;
  const member = (await listMembers(ctx.pool, [pool.id], { current: true })).find((row) => row.contactId === contactId);
  if (!member) return;
  const url = await ctx.teamLinks.currentUrl(ctx.pool, 'member', pool.id, contactId);
  return send(
    ctx,
    mailer,
    job,
    { poolId: pool.id, contactId },
    composeMemberAddedEmail(await emailFacts(ctx, pool), member, url),
  );
}

/**
 * The effect ledger's protocol (the dunning e-mails', src/app/dunning/send-dunning-email.ts):
 * claim the send and commit, send, then record the answer. Where a dunning reminder found still
 * "sending" is sent again (at most one duplicate), a team e-mail is not: a run that finds its own
 * claim unfinished knows an earlier run died while the mail server may have taken the message, so
 * it records `interrupted` and dead-letters the job, as AccessAlly's create call does
 * (docs/accessally.md). Resending the leader's link is one click in the console.
 */
async function send(
  ctx: AppContext,
  mailer: Mailer,
  job: ClaimedJob,
  to: { poolId: number; contactId: number },
  composed: ComposedTeamEmail,
): Promise<RetryLater | void> {
  // Rendered before claiming: a broken template fails the job without leaving a claim behind.
  const rendered = renderTemplate(composed.template, composed.variables, ctx.config.mail?.templatesDir);
  const claim = await claimTeamEmail(ctx.pool, { jobId: job.id, ...to, template: composed.template }, ctx.clock.now());
  if (!claim.claimed) {
    if (claim.state !== 'sending') return;
    const why = `${composed.template} e-mail to contact ${to.contactId} (team ${to.poolId}) was interrupted while the mail server had it; not sent again, so it cannot arrive twice`;
    await finishTeamEmail(ctx.pool, job.id, { state: 'interrupted', messageId: null, error: why }, ctx.clock.now());
    throw new PermanentJobError(why);
  }
  let outcome: MailOutcome;
  try {
    outcome = await mailer.send({ to: composed.to, ...rendered });
  } catch (error) {
    if (!(error instanceof MailDeliveryError)) throw error;
    if (error.permanent) {
      ctx.log.warn({ job: job.kind, key: job.key, error: error.message }, 'team e-mail refused for good');
      const refused = { state: 'undeliverable', messageId: null, error: error.message } as const;
      await finishTeamEmail(ctx.pool, job.id, refused, ctx.clock.now());
      return;
    }
    await markTeamEmailRetrying(ctx.pool, job.id, error.message);
    return waitForMailServer(claim.attempts, error.message);
  }
  const done =
    outcome.delivery === 'sent'
      ? ({ state: 'sent', messageId: outcome.messageId, error: null } as const)
      : ({ state: 'logged', messageId: null, error: null } as const);
  await finishTeamEmail(ctx.pool, job.id, done, ctx.clock.now());
  ctx.log.info({ job: job.kind, key: job.key, delivery: outcome.delivery }, 'team e-mail done');
}

/** What the e-mails say about a pool: the offerings its seats give, its seats, its leader. */
async function emailFacts(ctx: AppContext, pool: PoolRow): Promise<TeamEmailFacts> {
  const grants = ctx.rules.items.get(pool.item)?.grants ?? [];
  const leader = pool.leaderContactId === null ? null : await findContactById(ctx.pool, pool.leaderContactId);
  return {
    productName: grants.map((id) => offeringName(ctx.rules, id)).join(', ') || pool.item,
    seats: Math.max(0, pool.purchasedSeats + pool.seatsAdjustment),
    leader: leader ?? { email: 'the team leader', firstName: null, lastName: null },
  };
}

function idOf(text: string, key: string): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id <= 0) throw new PermanentJobError(`not a team e-mail key: ${key}`);
  return id;
}
