import type { Command } from 'commander';
import { getContactView, getTimeline } from '../app/contacts/contact-views.ts';
import { openRuntime } from '../main.ts';
import { leaderLinkOf } from '../app/teams/leader-link.ts';
import { teamsOfContact } from '../app/teams/team-views.ts';
import { configPathOf } from './config-path.ts';

export function registerContactCommand(program: Command): void {
  program
    .command('contact')
    .description(
      'who has what, and why: access per offering, tags with their origin, teams led and seats held, and the timeline',
    )
    .argument('<email>', "the contact's email")
    .option('--json', 'print JSON (the API shapes) instead of text')
    .action(async (email: string, flags: { json?: boolean }, command: Command) => {
      const runtime = await openRuntime({ configPath: configPathOf(command) });
      try {
        const view = await getContactView(runtime.ctx, email);
        if (!view) {
          console.error(`No contact with email ${email}.`);
          process.exitCode = 1;
          return;
        }
        const timeline = (await getTimeline(runtime.ctx, email)) ?? [];
        const found = (await teamsOfContact(runtime.ctx, email)) ?? { leads: [], memberOf: [] };
        // The admin's copy of the link e-mailed to the leader (the CLI runs on the server: admin only).
        const leads = await Promise.all(
          found.leads.map(async (team) => ({ ...team, leaderLink: await leaderLinkOf(runtime.ctx, team) })),
        );
        const teams = { ...found, leads };
        if (flags.json) {
          console.log(JSON.stringify({ ...view, teams, timeline }, null, 2));
          return;
        }
        console.log(
          `${view.email}${view.name ? ` (${view.name})` : ''}${view.thrivecartCustomerId ? `, ThriveCart customer ${view.thrivecartCustomerId}` : ''}`,
        );
        console.log('\nAccess');
        if (view.access.length === 0) console.log('  (no offering)');
        for (const entry of view.access) {
          const until = entry.granted && entry.until ? ` until ${entry.until}` : '';
          console.log(`  ${entry.granted ? 'GRANTED' : 'DENIED '} ${entry.offeringName}${until}: ${entry.reason}`);
        }
        console.log('\nTags');
        if (view.tags.length === 0) console.log('  (none)');
        for (const tag of view.tags) console.log(`  ${tag.name} (since ${tag.since}: ${tag.why})`);
        if (teams.leads.length > 0) console.log('\nTeams led');
        for (const team of teams.leads) {
          console.log(
            `  #${team.id} ${team.label}: ${team.seatsUsed} of ${team.seats} seats used; members get access while: ${team.entitlement.reason}`,
          );
          console.log(`    leader's link: ${team.leaderLink ?? '(none)'}`);
          for (const member of team.members) console.log(`    ${member.email} (since ${member.joinedAt})`);
        }
        if (teams.memberOf.length > 0) console.log('\nSeats in teams');
        for (const seat of teams.memberOf) {
          const held = seat.leftAt === null ? `since ${seat.joinedAt}` : `${seat.joinedAt} to ${seat.leftAt}`;
          console.log(`  #${seat.team.id} ${seat.team.label}, ${held} (tag ${seat.team.tag})`);
        }
        console.log('\nTimeline');
        for (const entry of timeline) {
          const changes = entry.tagChanges
            .map((change) => `${change.change === 'added' ? '+' : '-'}${change.tag}`)
            .join(', ');
          console.log(`  ${entry.at}  ${entry.summary}${changes ? `  [${changes}]` : ''}`);
        }
      } finally {
        await runtime.close();
      }
    });
}
