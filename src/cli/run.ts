import { ConfigError } from '../config/config-error.ts';
import { BackupError } from '../adapters/store/backup-error.ts';
import { EmbeddedPostgresError } from '../adapters/store/embedded-postgres-error.ts';
import { buildProgram } from './program.ts';

/** Entry point of `handoff` / `npm start`: problems a person can fix print as one clear message. */

// `handoff contact x | head` closes the pipe early: that is the reader being done, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

try {
  await (await buildProgram(process.argv)).parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError || error instanceof EmbeddedPostgresError || error instanceof BackupError) {
    console.error(error.message);
  } else {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  process.exit(1);
}
