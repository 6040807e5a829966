import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CsvError } from '../adapters/sources/thrivecart/csv-history.ts';
import { ThriveCartApiError } from '../adapters/sources/thrivecart/api-client.ts';
import {
  importFromCsv,
  importFromThriveCart,
  type ImportPlan,
  type ImportProgress,
} from '../app/thrivecart/import-history.ts';
import { reconcileWithThriveCart } from '../app/thrivecart/reconcile-thrivecart.ts';
import { parseHistoryWindow, WindowError, type HistoryWindow } from '../app/thrivecart/history-window.ts';
import { openRuntime, thrivecartApiFor } from '../main.ts';
import { configPathOf } from './config-path.ts';

export function registerThriveCartCommands(program: Command): void {
  const thrivecart = program
    .command('thrivecart')
    .description('ThriveCart history: import the members Handoff never saw, and reconcile with ThriveCart');
  registerReconcile(thrivecart);
  thrivecart
    .command('import')
    .description(
      'plan (or with --apply, do) an import of your ThriveCart history; resumes where an interrupted run stopped',
    )
    .option('--apply', 'apply the plan (without it nothing changes)')
    .option(
      '--csv <file>',
      'import this CSV instead of asking the API (columns: email,name,item,order_id,status,paid_through)',
    )
    .option('--since <day>', 'only transactions from this day on (YYYY-MM-DD, UTC)')
    .option('--until <day>', 'only transactions up to this day, included (YYYY-MM-DD, UTC)')
    .option('--json', 'print the plan as JSON')
    .action(async (flags: WindowFlags & { apply?: boolean; csv?: string; json?: boolean }, command: Command) => {
      const window = windowOrExit(flags, flags.csv === undefined);
      if (window === null) return;
      const runtime = await openRuntime({ configPath: configPathOf(command) });
      try {
        const options = {
          apply: flags.apply === true,
          window,
          progress: flags.json ? undefined : progressPrinter(),
        };
        let plan: ImportPlan;
        if (flags.csv !== undefined) {
          plan = await importFromCsv(runtime.ctx, readFileSync(flags.csv, 'utf8'), options);
        } else {
          const api = thrivecartApiFor(runtime.ctx);
          if (api === null) {
            console.error(
              'thrivecart.apiKey is not set: add your ThriveCart API key to the configuration (Settings > API & Webhooks > API tokens), or import a CSV with --csv <file>.',
            );
            process.exitCode = 1;
            return;
          }
          plan = await importFromThriveCart(runtime.ctx, api, options);
        }
        if (flags.json) console.log(JSON.stringify(plan, null, 2));
        else printPlan(plan);
      } catch (error) {
        if (!(error instanceof CsvError || error instanceof ThriveCartApiError)) throw error;
        console.error(
          `Import stopped: ${error.message}${error instanceof ThriveCartApiError ? '. What was fetched is kept; run the command again to resume.' : ''}`,
        );
        process.exitCode = 1;
      } finally {
        await runtime.close();
      }
    });
}

/** `handoff thrivecart reconcile [--fix]`, registered on the `thrivecart` command. */
function registerReconcile(thrivecart: Command): void {
  thrivecart
    .command('reconcile')
    .description("compare ThriveCart's transactions and subscriptions with the ledger and report what no webhook said")
    .option('--fix', 'apply the missing events (recorded with their source, thrivecart-api)')
    .option('--since <day>', 'only transactions from this day on (YYYY-MM-DD, UTC)')
    .option('--until <day>', 'only transactions up to this day, included (YYYY-MM-DD, UTC)')
    .option('--json', 'print the report as JSON')
    .action(async (flags: WindowFlags & { fix?: boolean; json?: boolean }, command: Command) => {
      const window = windowOrExit(flags, true);
      if (window === null) return;
      const runtime = await openRuntime({ configPath: configPathOf(command) });
      try {
        const api = thrivecartApiFor(runtime.ctx);
        if (api === null) {
          console.error(
            "thrivecart.apiKey is not set: reconcile reads ThriveCart's API. Add your API key (Settings > API & Webhooks > API tokens) to the configuration.",
          );
          process.exitCode = 1;
          return;
        }
        const report = await reconcileWithThriveCart(runtime.ctx, api, {
          fix: flags.fix === true,
          window,
          progress: flags.json ? undefined : progressPrinter(),
        });
        if (flags.json) {
          console.log(JSON.stringify(report, null, 2));
          return;
        }
        if (report.findings.length === 0) {
          console.log(`The ledger agrees with ThriveCart (${report.window}): nothing is missing.`);
          return;
        }
        console.log(
          `${report.findings.length} thing(s) ThriveCart knows that no webhook told Handoff${report.fixed ? ' (applied now)' : '; run again with --fix to apply them'}:`,
        );
        for (const finding of report.findings)
          console.log(`  ${finding.email}: ${finding.summary} (${new Date(finding.at).toISOString().slice(0, 10)})`);
      } catch (error) {
        if (!(error instanceof ThriveCartApiError)) throw error;
        console.error(`Reconcile stopped: ${error.message}`);
        process.exitCode = 1;
      } finally {
        await runtime.close();
      }
    });
}

interface WindowFlags {
  since?: string;
  until?: string;
}

/** The `--since`/`--until` window, or null (with the reason printed and exit code 1) when they are wrong. */
function windowOrExit(flags: WindowFlags, fromApi: boolean): HistoryWindow | null {
  try {
    if (!fromApi && (flags.since !== undefined || flags.until !== undefined))
      throw new WindowError(
        '--since and --until choose ThriveCart transactions by date; a CSV import takes every row of the file',
      );
    return parseHistoryWindow(flags.since, flags.until);
  } catch (error) {
    if (!(error instanceof WindowError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
    return null;
  }
}

/** A counter rewritten in place on a terminal; one plain line per step otherwise (logs, CI). */
function progressPrinter(): ImportProgress {
  const tty = process.stdout.isTTY === true;
  return ({ phase, done, total }) => {
    const what =
      phase === 'transactions'
        ? `transactions: page ${done}`
        : `${phase === 'customers' ? 'buyers asked about subscriptions' : 'people applied'}: ${done}${total === null ? '' : ` of ${total}`}`;
    if (tty) process.stdout.write(`\r${what}   ${total !== null && done === total ? '\n' : ''}`);
    else console.log(what);
  };
}

function printPlan(plan: ImportPlan): void {
  const counts = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([offering, people]) => `${offering} ${people}`)
      .join(', ') || 'none';
  console.log(
    `${plan.applied ? 'Imported' : 'Plan (nothing changed; run again with --apply)'}: ${plan.people} people, ${plan.events} new events (${plan.alreadyKnown} already known).`,
  );
  console.log(`  access granted: ${counts(plan.offeringsGranted)}`);
  console.log(`  access revoked: ${counts(plan.offeringsRevoked)}`);
  for (const item of plan.unknownItems)
    console.log(
      `  not configured: ${item.item} "${item.name}" (${item.people} people); add it under items: to import it`,
    );
  for (const skipped of plan.notImported)
    console.log(`  not imported: ${skipped.email} ${skipped.item} order ${skipped.orderId}: ${skipped.reason}`);
}
