import type { Command } from 'commander';
import { diagnoseCrms } from '../app/crm/doctor.ts';
import { realSleep } from '../app/crm/with-patience.ts';
import { openRuntime } from '../main.ts';
import { configPathOf } from './config-path.ts';

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description("check each configured CRM's base URL and credentials and say what is wrong")
    .action(async (_flags: unknown, command: Command) => {
      const runtime = await openRuntime({ configPath: configPathOf(command) });
      try {
        if (runtime.crm.connections.length === 0) {
          console.log('No CRM configured (crm: in the config).');
          return;
        }
        const diagnoses = await diagnoseCrms(runtime.ctx, runtime.crm, realSleep);
        for (const diagnosis of diagnoses) {
          console.log(`${diagnosis.ok ? 'OK  ' : 'FAIL'} ${diagnosis.name} (${diagnosis.provider}, ${diagnosis.baseUrl}): ${diagnosis.message}`);
        }
        if (diagnoses.some((diagnosis) => !diagnosis.ok)) process.exitCode = 1;
      } finally {
        await runtime.close();
      }
    });
}
