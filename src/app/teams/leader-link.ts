import { enqueueJob } from '../../adapters/jobs/enqueue-job.ts';
import type { AppContext } from '../context.ts';
import { TEAM_LEADER_EMAIL_JOB } from './send-team-email.ts';
import { TeamError } from './team-errors.ts';
import { getTeam, type TeamPerson, type TeamView } from './team-views.ts';

/** The leader's current link to the team page (as e-mailed to them), or null while the team has no leader. */
export async function leaderLinkOf(ctx: AppContext, team: TeamView): Promise<string | null> {
  if (!team.leader) return null;
  return ctx.teamLinks.currentUrl(ctx.pool, 'leader', team.id, team.leader.contactId);
}

/** Sends the leader their current link again (the e-mail job re-reads who leads when it runs); returns to whom. */
export async function emailLeaderLink(ctx: AppContext, teamId: number): Promise<string> {
  const leader = await leaderOf(ctx, teamId);
  await enqueueJob(ctx.pool, { kind: TEAM_LEADER_EMAIL_JOB, key: String(teamId), runAt: ctx.clock.now() });
  return leader.email;
}

/** Revokes the leader's link (a leaked one, say) and issues the next; it is not sent by itself. */
export async function reissueLeaderLink(ctx: AppContext, teamId: number): Promise<string> {
  const leader = await leaderOf(ctx, teamId);
  return ctx.teamLinks.reissueUrl(ctx.pool, 'leader', teamId, leader.contactId);
}

async function leaderOf(ctx: AppContext, teamId: number): Promise<TeamPerson> {
  const team = await getTeam(ctx, teamId);
  if (!team) throw new TeamError('team_not_found', `No team ${teamId}.`);
  if (!team.leader) throw new TeamError('invalid', 'This team has no leader: move the role to someone first.');
  return team.leader;
}
