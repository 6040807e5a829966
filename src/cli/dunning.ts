import type { Command } from 'commander';
import { listDunningCaseViews, type DunningCaseView } from '../app/dunning/list-dunning-cases.ts';
import { openRuntime } from '../main.ts';
import { configPathOf } from './config-path.ts';

export function registerDunningCommand(program: Command): void {
  program
    .command('dunning')
    .description(
      'failed payments: open cases (who, what, since when, next step, access ends at), or closed ones with their outcome',
    )
    .option('--closed', 'list closed cases (recovered, lost, recovered-after-loss, cancelled), most recent first')
    .option('--limit <n>', 'how many cases', '100')
    .option('--json', 'print JSON (the API shape) instead of text')
    .action(async (flags: { closed?: boolean; limit: string; json?: boolean }, command: Command) => {
      const runtime = await openRuntime({ configPath: configPathOf(command) });
      try {
        const state = flags.closed ? 'closed' : 'open';
        const cases = await listDunningCaseViews(runtime.ctx, {
          state,
          limit: Math.max(Number(flags.limit) || 100, 1),
        });
        if (flags.json) {
          console.log(JSON.stringify({ state, cases }, null, 2));
          return;
        }
        console.log(
          `${cases.length === 0 ? 'No' : cases.length} ${state} dunning case${cases.length === 1 ? '' : 's'}`,
        );
        for (const dunningCase of cases) console.log(describeCase(dunningCase));
      } finally {
        await runtime.close();
      }
    });
}

function describeCase(view: DunningCaseView): string {
  const who = `${view.email}${view.name ? ` (${view.name})` : ''}`;
  const what = `${view.product} (${view.item}, order ${view.orderId})${view.amountDue ? `, ${view.amountDue} due` : ''}`;
  const since = `failing since ${day(view.openedAt)}, ${view.failures} failed attempt${view.failures === 1 ? '' : 's'}`;
  const lines = [`\n  #${view.id} ${who}: ${what}`, `    ${since}`];
  if (view.state === 'open') {
    const next = view.nextStep ? `next: ${view.nextStep.step} on ${day(view.nextStep.at)}` : '';
    lines.push(`    ${next}; access ends ${day(view.accessEndsAt)}`);
  } else {
    lines.push(
      `    ${view.state} on ${day(view.closedAt ?? view.accessEndsAt)}${view.lostAt && view.state !== 'lost' ? ` (access had ended on ${day(view.lostAt)})` : ''}`,
    );
  }
  for (const email of view.emails) {
    const when = email.finishedAt ?? email.dueAt;
    const problem = email.lastError
      ? ` after ${email.attempts} attempt${email.attempts === 1 ? '' : 's'}: ${email.lastError}`
      : '';
    lines.push(`    e-mail ${email.step}: ${email.status}${when ? ` ${day(when)}` : ''}${problem}`);
  }
  return lines.join('\n');
}

/** `2026-11-16 09:00` (UTC). */
function day(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}
