import type { TeamTemplateName } from '../../adapters/mail/templates.ts';
import type { EmailPerson } from '../dunning/email-content.ts';

/** Which team e-mail, to whom, and the values of its `{{variables}}`. */
export interface ComposedTeamEmail {
  template: TeamTemplateName;
  to: string;
  variables: Record<string, string>;
}

/** What both team e-mails say about the team. */
export interface TeamEmailFacts {
  /** What the team has access to, as the buyer knows it (the offerings' names). */
  productName: string;
  seats: number;
  leader: EmailPerson;
}

/** To the leader, at purchase (and when the role moves to them): their team page's signed link. */
export function composeLeaderLinkEmail(team: TeamEmailFacts, teamUrl: string): ComposedTeamEmail {
  return {
    template: 'team-leader-link',
    to: team.leader.email,
    variables: {
      firstName: team.leader.firstName ?? 'there',
      productName: team.productName,
      seats: team.seats === 1 ? '1 seat' : `${team.seats} seats`,
      teamUrl,
    },
  };
}

/** To a member just added: who added them, and their own link (to see the team and leave it). */
export function composeMemberAddedEmail(team: TeamEmailFacts, member: EmailPerson, teamUrl: string): ComposedTeamEmail {
  return {
    template: 'team-member-added',
    to: member.email,
    variables: {
      firstName: member.firstName ?? 'there',
      leaderName: fullName(team.leader) ?? team.leader.email,
      productName: team.productName,
      memberEmail: member.email,
      teamUrl,
    },
  };
}

function fullName(person: EmailPerson): string | null {
  return [person.firstName, person.lastName].filter(Boolean).join(' ') || null;
}
