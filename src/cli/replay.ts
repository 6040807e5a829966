import type { Command } from 'commander';
import { replayLedger } from '../app/ledger/replay-ledger.ts';
import { openRuntime } from '../main.ts';
import { configPathOf } from './config-path.ts';

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('rebuild the ledger from the stored deliveries with the current configuration')
    .option('--dry-run', 'only print what would change')
    .option('--json', 'print the report as JSON')
    .action(async (flags: { dryRun?: boolean; json?: boolean }, command: Command) => {
      const runtime = await openRuntime({ configPath: configPathOf(command) });
      try {
        const started = Date.now();
        const report = await replayLedger(runtime.ctx, { dryRun: flags.dryRun === true });
        if (flags.json) {
          console.log(JSON.stringify(report, null, 2));
          return;
        }
        const verb = report.dryRun ? 'would change' : 'changed';
        console.log(
          `${report.dryRun ? 'Dry run: ' : ''}replayed ${report.deliveries} deliveries for ${report.contacts} contacts in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
        );
        console.log(
          `${report.reclassified.length} deliveries ${verb} outcome; ${report.changed.length} contacts ${verb} tags or access.`,
        );
        for (const delivery of report.reclassified)
          console.log(
            `  delivery ${delivery.deliveryId}: ${delivery.from} -> ${delivery.to}${delivery.reason ? ` (${delivery.reason})` : ''}`,
          );
        for (const contact of report.changed) {
          const parts = [
            ...contact.accessGained.map((offering) => `+access ${offering}`),
            ...contact.accessLost.map((offering) => `-access ${offering}`),
            ...contact.tagsAdded.map((tag) => `+${tag}`),
            ...contact.tagsRemoved.map((tag) => `-${tag}`),
          ];
          console.log(`  ${contact.email}: ${parts.join(', ')}`);
        }
      } finally {
        await runtime.close();
      }
    });
}
