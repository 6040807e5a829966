import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../config/config-file.ts';

/** The configuration file the person asked for: --config, then HANDOFF_CONFIG, then the default. */
export function configPathOf(command: Command): string {
  const globals = command.optsWithGlobals<{ config?: string }>();
  return globals.config ?? process.env.HANDOFF_CONFIG ?? DEFAULT_CONFIG_FILE;
}
