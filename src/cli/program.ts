import { Command } from 'commander';
import { loadDotEnvNextTo } from '../config/dotenv.ts';
import { DEFAULT_CONFIG_FILE } from '../config/config-file.ts';
import { configPathOf } from './config-path.ts';

type Registration = (program: Command) => void;

/**
 * Every top-level command, in the order `handoff --help` lists them, with the module that
 * registers it. A run loads only the module of the command it names: `serve` needs the whole
 * application, `encrypt-secret` or `check-config` a few files, and loading everything (about a
 * second of CPU through tsx) made every short command wait for it.
 */
const COMMANDS: readonly { names: readonly string[]; load: () => Promise<Registration> }[] = [
  { names: ['serve'], load: async () => (await import('./serve.ts')).registerServeCommand },
  { names: ['check-config'], load: async () => (await import('./check-config.ts')).registerCheckConfigCommand },
  { names: ['encrypt-secret'], load: async () => (await import('./encrypt-secret.ts')).registerEncryptSecretCommand },
  { names: ['simulate'], load: async () => (await import('./simulate.ts')).registerSimulateCommand },
  { names: ['contact'], load: async () => (await import('./contact.ts')).registerContactCommand },
  { names: ['replay'], load: async () => (await import('./replay.ts')).registerReplayCommand },
  { names: ['dunning'], load: async () => (await import('./dunning.ts')).registerDunningCommand },
  { names: ['mail'], load: async () => (await import('./mail-preview.ts')).registerMailCommand },
  { names: ['problems'], load: async () => (await import('./problems.ts')).registerProblemsCommand },
  { names: ['retry'], load: async () => (await import('./retry.ts')).registerRetryCommand },
  { names: ['reconcile'], load: async () => (await import('./reconcile.ts')).registerReconcileCommand },
  { names: ['doctor'], load: async () => (await import('./doctor.ts')).registerDoctorCommand },
  { names: ['thrivecart'], load: async () => (await import('./thrivecart.ts')).registerThriveCartCommands },
  { names: ['backup', 'restore'], load: async () => (await import('./backup.ts')).registerBackupCommands },
];

/**
 * The `handoff` command line for `argv` (as process.argv: node, script, arguments). Each command
 * calls the composition root and app use-cases only. Without a known command (`--help`, `help`,
 * a typo) every command is registered, so help lists them all and a typo gets its suggestion.
 */
export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command('handoff')
    .description('ThriveCart → CRM → membership access, with an audit trail of why.')
    .option('-c, --config <file>', `configuration file (env HANDOFF_CONFIG, default ${DEFAULT_CONFIG_FILE})`)
    .showHelpAfterError()
    // Secrets can live in a .env next to the configuration (never in the file itself).
    .hook('preAction', (_program, action) => {
      loadDotEnvNextTo(configPathOf(action));
    });
  const named = commandNamedIn(argv.slice(2));
  const own = COMMANDS.filter((command) => named !== null && command.names.includes(named));
  const registrations = await Promise.all((own.length > 0 ? own : COMMANDS).map((command) => command.load()));
  for (const register of registrations) register(program);
  return program;
}

/** The first word that is not a global option (or its value): the command, or null when there is none. */
function commandNamedIn(args: readonly string[]): string | null {
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === '-c' || arg === '--config') index += 1;
    else if (!arg.startsWith('-')) return arg;
  }
  return null;
}
