import type { HandoffConfig } from '../../config/schema.ts';
import { renderTemplate, type RenderedEmail, type TeamTemplateName } from '../../adapters/mail/templates.ts';
import { composeLeaderLinkEmail, composeMemberAddedEmail, type TeamEmailFacts } from './team-email-content.ts';

/**
 * A team e-mail rendered the way a real one is (same variables, same files, the templates
 * folder), for a made-up team. The link is a placeholder: a real one is signed with the secret key.
 */
export function previewTeamEmail(
  config: HandoffConfig,
  template: TeamTemplateName,
  publicUrl: string,
): RenderedEmail & { to: string } {
  const team: TeamEmailFacts = {
    productName: 'Inner Circle',
    seats: 5,
    leader: { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' },
  };
  const teamUrl = `${publicUrl}/team/sample-signed-link`;
  const member = { email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper' };
  const composed =
    template === 'team-leader-link'
      ? composeLeaderLinkEmail(team, teamUrl)
      : composeMemberAddedEmail(team, member, teamUrl);
  return { to: composed.to, ...renderTemplate(composed.template, composed.variables, config.mail?.templatesDir) };
}
