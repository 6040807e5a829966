import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../config/config-error.ts';
import { createWorkingConfigIfMissing } from '../config/working-config.ts';
import { usesDemoSecret } from '../config/demo-secret.ts';
import { openRuntime, startService } from '../main.ts';
import { configPathOf } from './config-path.ts';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the service: webhook intake, API and job worker (PORT, HOST, DATABASE_URL, HANDOFF_DATA_DIR)')
    .action(async (_options, command: Command) => {
      const configPath = configPathOf(command);
      const example = createWorkingConfigIfMissing(configPath);
      if (example)
        console.log(
          `Created ${resolve(configPath)} from ${example} (a demo setup): edit it for your school, then restart Handoff.`,
        );
      const runtime = await openRuntime({ configPath });
      const port = Number(process.env.PORT ?? 3000);
      // This computer only, unless told otherwise: the shipped demo configuration must not face the internet.
      const host = process.env.HOST ?? '127.0.0.1';
      const service = await startService(runtime, { port, host }).catch(async (error: unknown) => {
        await runtime.close();
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new ConfigError(
            `Port ${port} on ${host} is already in use (another Handoff, or another program): stop that program, or set PORT to a free port.`,
          );
        }
        throw error;
      });

      const token = service.adminToken;
      console.log(`Handoff is running on ${service.address}`);
      console.log(`  Console: ${service.publicUrl}/ (log in with the admin token)`);
      console.log(`  ThriveCart webhook URL: ${service.publicUrl}/webhooks/thrivecart`);
      console.log(
        '    (ThriveCart: Settings > API & Webhooks > Webhooks & notifications > Add webhook; it must be reachable from the internet)',
      );
      console.log(`  Database: ${runtime.embedded ? `embedded PostgreSQL in ${runtime.dataDir}` : 'DATABASE_URL'}`);
      if (token.source === 'environment') console.log('  Admin token: HANDOFF_ADMIN_TOKEN');
      else
        console.log(
          `  Admin token: ${token.generated ? `${token.token} (generated, saved in ${token.path})` : `in ${token.path}`}`,
        );
      if (usesDemoSecret(runtime.ctx.config.thrivecart)) {
        console.log(
          '  DEMO MODE: the ThriveCart secret is the public demo value, accepted only on this computer; set THRIVECART_SECRET to your secret word before going live.',
        );
      }

      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        console.log(`${signal} received: finishing requests and jobs in flight, then stopping.`);
        service.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            console.error(error);
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
