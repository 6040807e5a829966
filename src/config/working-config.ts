import { copyFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const EXAMPLE_CONFIG_FILE = 'handoff.config.example.yaml';

/**
 * The configuration a creator edits is not a file of the repository (an update must never
 * overwrite it): the first start makes it from the example shipped next to it. Returns the
 * example's path when it made the file, else null.
 */
export function createWorkingConfigIfMissing(configPath: string): string | null {
  const file = resolve(configPath);
  const example = join(dirname(file), EXAMPLE_CONFIG_FILE);
  if (existsSync(file) || !existsSync(example)) return null;
  copyFileSync(example, file);
  return example;
}
