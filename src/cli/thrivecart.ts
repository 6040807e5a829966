import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CsvError } from '../adapters/sources/thrivecart/csv-history.ts';
import { ThriveCartApiError } from '../adapters/sources/thrivecart/api-client.ts';
import { importFromCsv, importFromThriveCart, type ImportPlan, type ImportProgress } from '../app/thrivecart/import-history.ts';
import { openRuntime, thrivecartApiFor } from '../main.ts';
import { configPathOf } from './config-path.ts';

export function registerThriveCartCommands(program: Command): void {
  const thrivecart = program.command('thrivecart').description('ThriveCart history: import the members Handoff never saw');
  thrivecart
    .command('import')
    .description('plan (or with --apply, do) an import of your ThriveCart history; resumes where an interrupted run stopped')
    .option('--apply', 'apply the plan (without it nothing changes)')
    .option('--csv <file>', 'import this CSV instead of asking the API (columns: email,name,item,order_id,status,paid_through)')
    .option('--json', 'print the plan as JSON')
    .action(async (flags: { apply?: boolean; csv?: string; json?: boolean }, command: Command) => {
      const runtime = await openRuntime({ configPath: configPathOf(command) });
      try {
        const options = { apply: flags.apply === true, progress: flags.json ? undefined : progressPrinter() };
        let plan: ImportPlan;
        if (flags.csv !== undefined) {
          plan = await importFromCsv(runtime.ctx, readFileSync(flags.csv, 'utf8'), options);
        } else {
          const api = thrivecartApiFor(runtime.ctx);
          if (api === null) {
            console.error('thrivecart.apiKey is not set: add your ThriveCart API key to the configuration (Settings > API & Webhooks > API tokens), or import a CSV with --csv <file>.');
            process.exitCode = 1;
            return;
          }
          plan = await importFromThriveCart(runtime.ctx, api, options);
        }
        if (flags.json) console.log(JSON.stringify(plan, null, 2));
        else printPlan(plan);
      } catch (error) {
        if (!(error instanceof CsvError || error instanceof ThriveCartApiError)) throw error;
        console.error(`Import stopped: ${error.message}${error instanceof ThriveCartApiError ? '. What was fetched is kept; run the command again to resume.' : ''}`);
        process.exitCode = 1;
      } finally {
        await runtime.close();
      }
    });
}

/** A counter rewritten in place on a terminal; one plain line per step otherwise (logs, CI). */
function progressPrinter(): ImportProgress {
  const tty = process.stdout.isTTY === true;
  return ({ phase, done, total }) => {
    const what = phase === 'transactions' ? `transactions: page ${done}` : `${phase === 'customers' ? 'buyers asked about subscriptions' : 'people applied'}: ${done}${total === null ? '' : ` of ${total}`}`;
    if (tty) process.stdout.write(`\r${what}   ${total !== null && done === total ? '\n' : ''}`);
    else console.log(what);
  };
}

function printPlan(plan: ImportPlan): void {
  const counts = (record: Record<string, number>) => Object.entries(record).map(([offering, people]) => `${offering} ${people}`).join(', ') || 'none';
  console.log(`${plan.applied ? 'Imported' : 'Plan (nothing changed; run again with --apply)'}: ${plan.people} people, ${plan.events} new events (${plan.alreadyKnown} already known).`);
  console.log(`  access granted: ${counts(plan.offeringsGranted)}`);
  console.log(`  access revoked: ${counts(plan.offeringsRevoked)}`);
  for (const item of plan.unknownItems) console.log(`  not configured: ${item.item} "${item.name}" (${item.people} people); add it under items: to import it`);
  for (const skipped of plan.notImported) console.log(`  not imported: ${skipped.email} ${skipped.item} order ${skipped.orderId}: ${skipped.reason}`);
}
