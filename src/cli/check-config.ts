import type { Command } from 'commander';
import { previewDunningEmail } from '../app/dunning/preview-email.ts';
import { DUNNING_TEMPLATE_NAMES, TEAM_TEMPLATE_NAMES } from '../adapters/mail/templates.ts';
import { previewTeamEmail } from '../app/teams/preview-team-email.ts';
import { loadConfigWithSecrets, type SecretSource } from '../config/load-config.ts';
import { configPathOf } from './config-path.ts';

export function registerCheckConfigCommand(program: Command): void {
  program
    .command('check-config')
    .description(
      'validate the configuration file and the e-mail templates without starting (exit 1 with the problems when invalid); say where each secret comes from',
    )
    .action((_options, command: Command) => {
      const path = configPathOf(command);
      const { config, secrets } = loadConfigWithSecrets(path);
      // Rendering each template with sample data catches an edited template's unknown variable now,
      // not when the first reminder is due.
      const dunningProblems =
        Object.keys(config.dunning).length === 0
          ? []
          : DUNNING_TEMPLATE_NAMES.flatMap((name) => problemOf(() => previewDunningEmail(config, name, Date.now())));
      const teamProblems = config.items.some((item) => item.team !== undefined)
        ? TEAM_TEMPLATE_NAMES.flatMap((name) => problemOf(() => previewTeamEmail(config, name, 'https://example.com')))
        : [];
      const templateProblems = [...dunningProblems, ...teamProblems];
      if (templateProblems.length > 0) {
        console.error(`Invalid e-mail templates:\n${templateProblems.join('\n')}`);
        process.exitCode = 1;
        return;
      }
      console.log(
        `${path} is valid: ThriveCart account "${config.thrivecart.account}", ${config.offerings.length} offering(s), ${config.items.length} item(s), ${Object.keys(config.dunning).length} dunning polic(ies).`,
      );
      reportSecrets(path, secrets);
    });
}

/** Where each secret comes from, never its value; a warning for those written in plain text. */
function reportSecrets(path: string, secrets: SecretSource[]): void {
  if (secrets.length === 0) return;
  console.log('Secrets:');
  for (const secret of secrets) console.log(`  ${secret.path}: ${describeSource(secret)}`);
  const plain = secrets.filter((secret) => secret.kind === 'plain').map((secret) => secret.path);
  if (plain.length > 0) {
    console.log(
      `WARNING: ${plain.join(', ')} ${plain.length === 1 ? 'is' : 'are'} written in plain text in ${path}. Encrypt each with \`handoff encrypt-secret\` (it reads the secret from stdin and prints an enc:v1… value to put in its place), or read it from the environment with \${VARIABLE}.`,
    );
  }
}

function describeSource(secret: SecretSource): string {
  const variables = secret.variables.join(', ');
  switch (secret.kind) {
    case 'encrypted':
      return variables ? `encrypted (enc:, from ${variables})` : 'encrypted (enc:)';
    case 'environment':
      return `from the environment (${variables})`;
    case 'plain':
      return 'plain text in the file';
  }
}

function problemOf(render: () => unknown): string[] {
  try {
    render();
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}
