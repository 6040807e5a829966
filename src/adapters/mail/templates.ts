import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The e-mails Handoff sends; each is three files: `<name>.subject.txt`, `<name>.txt`, `<name>.html`. */
export const DUNNING_TEMPLATE_NAMES = ['dunning-reminder', 'dunning-recovered', 'dunning-lost-owner'] as const;
export type DunningTemplateName = (typeof DUNNING_TEMPLATE_NAMES)[number];
export const TEAM_TEMPLATE_NAMES = ['team-leader-link', 'team-member-added'] as const;
export type TeamTemplateName = (typeof TEAM_TEMPLATE_NAMES)[number];
export const TEMPLATE_NAMES = [...DUNNING_TEMPLATE_NAMES, ...TEAM_TEMPLATE_NAMES] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** The defaults shipped in the repository's `templates/` folder. */
const DEFAULT_TEMPLATES_DIR = fileURLToPath(new URL('../../../templates/', import.meta.url));
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** A template names a variable that this e-mail does not have (a typo, or another template's variable). */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

export function isTemplateName(name: string): name is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(name);
}

/**
 * Renders a template with `{{variable}}` placeholders; values are HTML-escaped in the .html part.
 * Each file is read from `templatesDir` when it exists there (relative paths from the working
 * directory), else from the shipped defaults, so one file can be customised alone. Files are
 * read on every render: an edited template applies to the next e-mail without a restart.
 */
export function renderTemplate(
  name: TemplateName,
  variables: Readonly<Record<string, string>>,
  templatesDir?: string,
): RenderedEmail {
  const fill = (extension: string, escape: (value: string) => string): string => {
    const file = templateFile(`${name}.${extension}`, templatesDir);
    const source = readFileSync(file, 'utf8');
    const unknown = [...source.matchAll(PLACEHOLDER)]
      .map((match) => match[1]!)
      .filter((variable) => !(variable in variables));
    if (unknown.length > 0) {
      throw new TemplateError(
        `${file}: unknown variable(s) ${[...new Set(unknown)].map((variable) => `{{${variable}}}`).join(', ')}; this template can use ${Object.keys(
          variables,
        )
          .map((variable) => `{{${variable}}}`)
          .join(', ')}`,
      );
    }
    return source.replace(PLACEHOLDER, (_match, variable: string) => escape(variables[variable]!));
  };
  // A subject is one header line: line breaks from a template or a product name must not reach it.
  const subject = fill('subject.txt', (value) => value)
    .replace(/\s+/g, ' ')
    .trim();
  return { subject, text: fill('txt', (value) => value), html: fill('html', escapeHtml) };
}

function templateFile(fileName: string, templatesDir: string | undefined): string {
  if (templatesDir) {
    const custom = join(resolve(templatesDir), fileName);
    if (existsSync(custom)) return custom;
  }
  return join(DEFAULT_TEMPLATES_DIR, fileName);
}

function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
