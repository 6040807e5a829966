import { ConfigError } from '../config/load-config.ts';
import { EmbeddedPostgresError } from '../adapters/store/embedded-postgres.ts';
import { buildProgram } from './program.ts';

/** Entry point of `handoff` / `npm start`: problems a person can fix print as one clear message. */
try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError || error instanceof EmbeddedPostgresError) {
    console.error(error.message);
  } else {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  process.exit(1);
}
