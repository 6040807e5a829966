import type { Command } from 'commander';
import { retryProblemJobs } from '../app/crm/problems.ts';
import { openRuntime } from '../main.ts';
import { configPathOf } from './config-path.ts';

export function registerRetryCommand(program: Command): void {
  program
    .command('retry')
    .description('move a dead-lettered job (or all of them) back to the queue; the running service picks it up')
    .argument('<job>', 'a job id from `handoff problems`, or "all"')
    .action(async (which: string, _flags: unknown, command: Command) => {
      const target = which === 'all' ? 'all' : Number(which);
      if (target !== 'all' && !Number.isInteger(target)) {
        console.error(`Expected a job id (a number from \`handoff problems\`) or "all", not "${which}".`);
        process.exitCode = 1;
        return;
      }
      const runtime = await openRuntime({ configPath: configPathOf(command) });
      try {
        const requeued = await retryProblemJobs(runtime.ctx, target);
        if (requeued.length === 0 && target !== 'all') {
          console.error(`No dead-lettered job #${target}.`);
          process.exitCode = 1;
          return;
        }
        console.log(
          `Requeued ${requeued.length} job(s)${requeued.length > 0 ? `: ${requeued.map((id) => `#${id}`).join(', ')}` : ''}.`,
        );
      } finally {
        await runtime.close();
      }
    });
}
