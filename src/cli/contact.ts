import type { Command } from 'commander';
import { getContactView, getTimeline } from '../app/contacts/contact-views.ts';
import { openRuntime } from '../main.ts';
import { configPathOf } from './config-path.ts';

export function registerContactCommand(program: Command): void {
  program
    .command('contact')
    .description('who has what, and why: access per offering, tags with their origin, and the timeline')
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
        if (flags.json) {
          console.log(JSON.stringify({ ...view, timeline }, null, 2));
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
