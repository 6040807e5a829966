import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';

/**
 * Reads the `.env` file next to the configuration file, if there is one, into `env`. Variables
 * already set (by the shell, systemd or Docker) win over the file. Returns the file read, or null.
 */
export function loadDotEnvNextTo(configPath: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const file = join(dirname(resolve(configPath)), '.env');
  if (!existsSync(file)) return null;
  for (const [name, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) {
    if (env[name] === undefined) env[name] = value;
  }
  return file;
}
