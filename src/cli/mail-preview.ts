import { Argument, type Command } from 'commander';
import { previewDunningEmail } from '../app/dunning/preview-email.ts';
import { previewTeamEmail } from '../app/teams/preview-team-email.ts';
import {
  TEAM_TEMPLATE_NAMES,
  TEMPLATE_NAMES,
  TemplateError,
  type TemplateName,
  type TeamTemplateName,
} from '../adapters/mail/templates.ts';
import { loadConfig } from '../config/load-config.ts';
import type { HandoffConfig } from '../config/schema.ts';
import { publicUrlOf } from '../main.ts';
import { configPathOf } from './config-path.ts';

export function registerMailCommand(program: Command): void {
  const mail = program.command('mail').description('outgoing e-mail');
  mail
    .command('preview')
    .description(
      'render an e-mail template with sample data (uses mail.templatesDir and the card-update link from the configuration)',
    )
    .addArgument(new Argument('<template>', 'template to render').choices(TEMPLATE_NAMES))
    .option('--html', 'print only the HTML part')
    .action((template: TemplateName, flags: { html?: boolean }, command: Command) => {
      const config = loadConfig(configPathOf(command));
      let preview: ReturnType<typeof previewDunningEmail>;
      try {
        preview = previewOf(config, template);
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        console.error(error.message);
        process.exitCode = 1;
        return;
      }
      if (flags.html) {
        console.log(preview.html);
        return;
      }
      console.log(
        `To: ${preview.to}\nSubject: ${preview.subject}\n\n--- text ---\n${preview.text}\n--- html ---\n${preview.html}`,
      );
    });
}

function previewOf(config: HandoffConfig, template: TemplateName): ReturnType<typeof previewDunningEmail> {
  if (isTeamTemplate(template))
    return previewTeamEmail(config, template, publicUrlOf(process.env, Number(process.env.PORT ?? 3000)));
  return previewDunningEmail(config, template, Date.now());
}

function isTeamTemplate(template: TemplateName): template is TeamTemplateName {
  return (TEAM_TEMPLATE_NAMES as readonly string[]).includes(template);
}
