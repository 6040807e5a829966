import type { Command } from 'commander';
import { reconcileCrms } from '../app/crm/reconcile.ts';
import { realSleep } from '../app/crm/with-patience.ts';
import { openRuntime } from '../main.ts';
import { configPathOf } from './config-path.ts';

export function registerReconcileCommand(program: Command): void {
  program
    .command('reconcile')
    .description("read every contact's tags from each CRM and report drift of Handoff's tags from the ledger")
    .option('--fix', 'repair the drift (within the rate limits shared with the running service)')
    .option('--json', 'print the report as JSON')
    .action(async (flags: { fix?: boolean; json?: boolean }, command: Command) => {
      const runtime = await openRuntime({ configPath: configPathOf(command) });
      try {
        if (runtime.crm.connections.length === 0) {
          console.log('No CRM configured (crm: in the config); nothing to reconcile.');
          return;
        }
        const report = await reconcileCrms(runtime.ctx, runtime.crm, { fix: flags.fix === true, sleep: realSleep });
        if (flags.json) {
          console.log(JSON.stringify(report, null, 2));
          return;
        }
        console.log(
          `Checked ${report.contacts} contact(s) against ${runtime.crm.connections.map((connection) => connection.name).join(', ')}: ${report.drift.length} with drift, ${report.errors.length} error(s).`,
        );
        for (const drift of report.drift) {
          const parts = [
            ...drift.missing.map((tag) => {
              const held = drift.heldInOtherCase[tag];
              // This CRM does not document whether letter case tells tags apart: --fix applies and reads again.
              return held === undefined ? `missing "${tag}"` : `missing "${tag}" (holds "${held}": one tag or two?)`;
            }),
            ...drift.extra.map((tag) => `extra "${tag}"`),
          ];
          const state = drift.fixed ? 'FIXED' : 'DRIFT';
          console.log(
            `  ${state} ${drift.connector} ${drift.email}${drift.notInCrm ? ' (not in the CRM yet)' : ''}: ${parts.join(', ')}`,
          );
        }
        for (const error of report.errors) console.log(`  ERROR ${error.connector} ${error.email}: ${error.message}`);
        if (report.drift.length > 0 && !flags.fix) console.log('Run `handoff reconcile --fix` to repair.');
        if (report.errors.length > 0 || (report.drift.length > 0 && !flags.fix)) process.exitCode = 1;
      } finally {
        await runtime.close();
      }
    });
}
