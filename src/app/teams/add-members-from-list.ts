import { parseMemberList } from '../../core/teams/member-list.ts';
import type { AppContext } from '../context.ts';
import type { TeamActor } from './team-actor.ts';
import { TeamError } from './team-errors.ts';
import { addMember } from './teams.ts';

/** What adding a pasted list did: who was added, who was refused and why, and lines with no address. */
export interface MemberListOutcome {
  added: string[];
  refused: { email: string; reason: string }[];
  unreadable: { line: number; text: string }[];
}

/**
 * Adds everyone in a pasted list or CSV (core/teams/member-list.ts), one at a time, each exactly
 * as if added alone: the same checks, the same e-mail, the same audit entry. Nobody is added
 * beyond the free seats; those refused are reported with the reason, and nothing else is undone.
 */
export async function addMembersFromList(
  ctx: AppContext,
  teamId: number,
  text: string,
  actor: TeamActor,
): Promise<MemberListOutcome> {
  const list = parseMemberList(text);
  const outcome: MemberListOutcome = { added: [], refused: [], unreadable: list.unreadable };
  for (const email of list.emails) {
    try {
      await addMember(ctx, teamId, email, actor);
      outcome.added.push(email);
    } catch (error) {
      if (!(error instanceof TeamError) || error.code === 'team_not_found') throw error;
      outcome.refused.push({ email, reason: error.message });
    }
  }
  return outcome;
}
