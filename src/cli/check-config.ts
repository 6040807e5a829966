import type { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import { configPathOf } from './config-path.ts';

export function registerCheckConfigCommand(program: Command): void {
  program
    .command('check-config')
    .description('validate the configuration file without starting (exit 1 with the problems when invalid)')
    .action((_options, command: Command) => {
      const path = configPathOf(command);
      const config = loadConfig(path);
      console.log(`${path} is valid: ThriveCart account "${config.thrivecart.account}", ${config.offerings.length} offering(s), ${config.items.length} item(s), ${Object.keys(config.dunning).length} dunning polic(ies).`);
    });
}
