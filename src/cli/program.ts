import { Command } from 'commander';
import { loadDotEnvNextTo } from '../config/dotenv.ts';
import { DEFAULT_CONFIG_FILE } from '../config/load-config.ts';
import { configPathOf } from './config-path.ts';
import { registerBackupCommands } from './backup.ts';
import { registerCheckConfigCommand } from './check-config.ts';
import { registerContactCommand } from './contact.ts';
import { registerDoctorCommand } from './doctor.ts';
import { registerDunningCommand } from './dunning.ts';
import { registerEncryptSecretCommand } from './encrypt-secret.ts';
import { registerMailCommand } from './mail-preview.ts';
import { registerProblemsCommand } from './problems.ts';
import { registerReconcileCommand } from './reconcile.ts';
import { registerReplayCommand } from './replay.ts';
import { registerRetryCommand } from './retry.ts';
import { registerServeCommand } from './serve.ts';
import { registerSimulateCommand } from './simulate.ts';
import { registerThriveCartCommands } from './thrivecart.ts';

/** The `handoff` command line. Each command calls the composition root and app use-cases only. */
export function buildProgram(): Command {
  const program = new Command('handoff')
    .description('ThriveCart → CRM → membership access, with an audit trail of why.')
    .option('-c, --config <file>', `configuration file (env HANDOFF_CONFIG, default ${DEFAULT_CONFIG_FILE})`)
    .showHelpAfterError()
    // Secrets can live in a .env next to the configuration (never in the file itself).
    .hook('preAction', (_program, action) => {
      loadDotEnvNextTo(configPathOf(action));
    });
  registerServeCommand(program);
  registerCheckConfigCommand(program);
  registerEncryptSecretCommand(program);
  registerSimulateCommand(program);
  registerContactCommand(program);
  registerReplayCommand(program);
  registerDunningCommand(program);
  registerMailCommand(program);
  registerProblemsCommand(program);
  registerRetryCommand(program);
  registerReconcileCommand(program);
  registerDoctorCommand(program);
  registerThriveCartCommands(program);
  registerBackupCommands(program);
  return program;
}
