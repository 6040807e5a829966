import { MailDeliveryError, type Mailer } from '../../adapters/mail/mailer.ts';
import { renderTemplate } from '../../adapters/mail/templates.ts';
import { findContactById } from '../../adapters/store/contacts.ts';
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
 * their current link. Sent at least once: a crash after the mail server took it sends it again.
 */
export async function sendLeaderEmail(ctx: AppContext, mailer: Mailer, job: ClaimedJob): Promise<RetryLater | void> {
  const pool = await findPool(ctx.pool, idOf(job.key, job.key));
  if (!pool || pool.leaderContactId === null) return;
  const leader = await findContactById(ctx.pool, pool.leaderContactId);
  if (!leader) return;
  const url = await ctx.teamLinks.currentUrl(ctx.pool, 'leader', pool.id, leader.id);
  return send(ctx, mailer, job, composeLeaderLinkEmail(await emailFacts(ctx, pool), url));
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
  return send(ctx, mailer, job, composeMemberAddedEmail(await emailFacts(ctx, pool), member, url));
}

async function send(
  ctx: AppContext,
  mailer: Mailer,
  job: ClaimedJob,
  composed: ComposedTeamEmail,
): Promise<RetryLater | void> {
  const rendered = renderTemplate(composed.template, composed.variables, ctx.config.mail?.templatesDir);
  try {
    const outcome = await mailer.send({ to: composed.to, ...rendered });
    ctx.log.info({ job: job.kind, key: job.key, delivery: outcome.delivery }, 'team e-mail done');
  } catch (error) {
    if (!(error instanceof MailDeliveryError)) throw error;
    if (error.permanent) {
      ctx.log.warn({ job: job.kind, key: job.key, error: error.message }, 'team e-mail refused for good');
      return;
    }
    return waitForMailServer(job.attempt, error.message);
  }
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
