import { normaliseEmail } from '../../core/email-address.ts';
import { offeringName } from '../../core/ledger/rules.ts';
import type { AppContext } from '../context.ts';
import type { TeamLinkClaim } from './team-links.ts';
import { addMember, removeMember } from './teams.ts';
import { TeamError, type TeamErrorCode } from './team-errors.ts';
import { getTeam, type TeamPerson, type TeamView } from './team-views.ts';

/** What the public team page shows, decided here and only rendered by http/team-page. */
export interface TeamPageModel {
  role: TeamLinkClaim['role'];
  /** `Ada Lovelace's team (Team plan, order 9901)`. */
  title: string;
  /** What the seats give access to (the offerings' names). */
  productName: string;
  seats: number;
  used: number;
  /** Said above everything when the plan no longer gives access (refund, end of period), else null. */
  accessNote: string | null;
  /** The person the link was issued to. */
  viewerEmail: string;
  members: readonly TeamPageMember[];
}

export interface TeamPageMember {
  email: string;
  name: string | null;
  /** When they joined (ISO 8601); the page shows it in the console's time zone. */
  joinedAt: string;
}

/** A link that opened: what it claims, the team as it is now, and the page it shows. */
export interface OpenedTeamLink {
  claim: TeamLinkClaim;
  team: TeamView;
  viewer: TeamPerson;
  model: TeamPageModel;
}

/** A change asked on the page: done (with the address as stored), or refused and why. */
export type TeamPageOutcome = { ok: true; email: string } | { ok: false; code: TeamErrorCode; message: string };

/**
 * The team a link opens, or null: a token this Handoff did not sign, a link replaced by a newer
 * one, a team that no longer exists, or a person who no longer holds the role the link was
 * issued for (a leader whose role moved, a member who left or was removed). All look the same to
 * the visitor, so a link says nothing about a team it does not open.
 */
export async function openTeamLink(ctx: AppContext, token: string): Promise<OpenedTeamLink | null> {
  const claim = ctx.teamLinks.read(token);
  if (!claim || !(await ctx.teamLinks.isCurrent(ctx.pool, claim))) return null;
  const team = await getTeam(ctx, claim.teamId);
  if (!team) return null;
  const viewer =
    claim.role === 'leader'
      ? team.leader?.contactId === claim.contactId
        ? team.leader
        : null
      : (team.members.find((member) => member.contactId === claim.contactId) ?? null);
  return viewer ? { claim, team, viewer, model: teamPageModel(ctx, team, claim.role, viewer) } : null;
}

export async function addMemberByLink(
  ctx: AppContext,
  opened: OpenedTeamLink,
  email: string,
): Promise<TeamPageOutcome> {
  return outcomeOf(email, () => addMember(ctx, opened.team.id, email, { kind: 'leader' }));
}

export async function removeMemberByLink(
  ctx: AppContext,
  opened: OpenedTeamLink,
  email: string,
): Promise<TeamPageOutcome> {
  return outcomeOf(email, () => removeMember(ctx, opened.team.id, email, { kind: 'leader' }));
}

/** The member of a member's link leaves; their seat is free at once. */
export async function leaveByLink(ctx: AppContext, opened: OpenedTeamLink): Promise<TeamPageOutcome> {
  return outcomeOf(opened.viewer.email, () =>
    removeMember(ctx, opened.team.id, opened.viewer.email, { kind: 'member' }),
  );
}

async function outcomeOf(email: string, change: () => Promise<unknown>): Promise<TeamPageOutcome> {
  const address = normaliseEmail(email);
  try {
    await change();
    return { ok: true, email: address };
  } catch (error) {
    if (error instanceof TeamError) return { ok: false, code: error.code, message: refusalForLeader(error, address) };
    throw error;
  }
}

/** The service's reasons are written for admins; the leader reads what to do about it. */
function refusalForLeader(error: TeamError, address: string): string {
  switch (error.code) {
    case 'no_free_seat':
      return 'Every seat is taken: remove someone to free a seat, or ask for more seats.';
    case 'already_a_member':
      return `${address} is already on your team.`;
    case 'not_a_member':
      return `${address} is not on your team (any more).`;
    case 'invalid':
      return address === '' || !address.includes('@')
        ? `That is not an e-mail address: type it like ada@example.com.`
        : `${address} cannot be added: ${error.message}.`;
    case 'team_not_found':
      return 'This team no longer exists.';
  }
}

function teamPageModel(
  ctx: AppContext,
  team: TeamView,
  role: TeamLinkClaim['role'],
  viewer: TeamPerson,
): TeamPageModel {
  return {
    role,
    title: team.label,
    productName: team.offerings.map((id) => offeringName(ctx.rules, id)).join(', ') || team.itemName,
    seats: team.seats,
    used: team.seatsUsed,
    accessNote: team.entitlement.active
      ? null
      : `This plan gives no access right now (${team.entitlement.reason}). Members keep their seats and get access again when it is paid.`,
    viewerEmail: viewer.email,
    members: team.members.map((member) => ({
      email: member.email,
      name: member.name,
      joinedAt: member.joinedAt,
    })),
  };
}
