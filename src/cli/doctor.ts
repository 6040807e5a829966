import type { Command } from 'commander';
import type { HealthCheck } from '../app/health/health-check.ts';
import { runDoctor } from '../app/health/doctor.ts';
import { realSleep } from '../app/crm/with-patience.ts';
import { openRuntime } from '../main.ts';
import { configPathOf } from './config-path.ts';

const MARK: Record<HealthCheck['status'], string> = { ok: 'OK  ', warn: 'WARN', fail: 'FAIL' };

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      'check every configured part (ThriveCart and its API key, CRMs, SMTP, AccessAlly, webhook endpoints) and say what to fix; exit 1 when anything fails',
    )
    .action(async (_flags: unknown, command: Command) => {
      const runtime = await openRuntime({ configPath: configPathOf(command) });
      try {
        const checks = await runDoctor(runtime.ctx, runtime.crm, realSleep);
        for (const check of checks) console.log(formatCheck(check));
        const failed = checks.filter((check) => check.status === 'fail').length;
        console.log(
          failed === 0 ? '\nEverything configured works.' : `\n${failed} check(s) failed; each says what to do.`,
        );
        if (failed > 0) process.exitCode = 1;
      } finally {
        await runtime.close();
      }
    });
}

function formatCheck(check: HealthCheck): string {
  return `${MARK[check.status]} ${check.part}: ${check.message}${check.fix ? `\n     Fix: ${check.fix}` : ''}`;
}
