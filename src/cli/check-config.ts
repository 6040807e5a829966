import type { Command } from 'commander';
import { previewDunningEmail } from '../app/dunning/preview-email.ts';
import { TEMPLATE_NAMES } from '../adapters/mail/templates.ts';
import { loadConfig } from '../config/load-config.ts';
import { configPathOf } from './config-path.ts';

export function registerCheckConfigCommand(program: Command): void {
  program
    .command('check-config')
    .description('validate the configuration file and the e-mail templates without starting (exit 1 with the problems when invalid)')
    .action((_options, command: Command) => {
      const path = configPathOf(command);
      const config = loadConfig(path);
      // Rendering each template with sample data catches an edited template's unknown variable now,
      // not when the first reminder is due.
      const templateProblems = Object.keys(config.dunning).length === 0 ? [] : TEMPLATE_NAMES.flatMap((name) => problemOf(() => previewDunningEmail(config, name, Date.now())));
      if (templateProblems.length > 0) {
        console.error(`Invalid e-mail templates:\n${templateProblems.join('\n')}`);
        process.exitCode = 1;
        return;
      }
      console.log(`${path} is valid: ThriveCart account "${config.thrivecart.account}", ${config.offerings.length} offering(s), ${config.items.length} item(s), ${Object.keys(config.dunning).length} dunning polic(ies).`);
    });
}

function problemOf(render: () => unknown): string[] {
  try {
    render();
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}
