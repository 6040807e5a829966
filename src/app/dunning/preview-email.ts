import type { HandoffConfig } from '../../config/schema.ts';
import { dunningPolicySchema } from '../../config/schema.ts';
import { renderTemplate, type DunningTemplateName, type RenderedEmail } from '../../adapters/mail/templates.ts';
import type { DunningCase } from '../../core/dunning/dunning-case.ts';
import type { DunningEmailStep } from '../../core/dunning/email-step.ts';
import { composeDunningEmail } from './email-content.ts';
import { DAY_MS } from '../../core/time.ts';

const STEP_OF: Record<DunningTemplateName, DunningEmailStep> = {
  'dunning-reminder': 'reminder-1',
  'dunning-recovered': 'recovered',
  'dunning-lost-owner': 'lost',
};

/**
 * Renders a template the way a real e-mail is rendered (same variables, same files, the
 * configuration's card-update link and templates folder), for a made-up customer.
 */
export function previewDunningEmail(
  config: HandoffConfig,
  template: DunningTemplateName,
  now: number,
): RenderedEmail & { to: string } {
  const configured = Object.values(config.dunning)[0];
  const policy = {
    ...(configured ?? dunningPolicySchema.parse({})),
    notifyOwner: configured?.notifyOwner ?? 'owner@example.com',
  };
  const openedAt = now - 3 * DAY_MS;
  const sample: DunningCase = {
    subscriptionKey: '4918273:product-40',
    episode: 1,
    orderId: '4918273',
    item: 'product-40',
    productName: 'Focus Community (monthly)',
    state: template === 'dunning-reminder' ? 'open' : template === 'dunning-recovered' ? 'recovered' : 'lost',
    openedAt,
    graceEndsAt: openedAt + policy.graceDays * DAY_MS,
    lostAt: null,
    closedAt: null,
    failures: 3,
    amountDueCents: 4700,
    currency: 'USD',
    reminders: [],
  };
  const customer = { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' };
  const composed = composeDunningEmail(STEP_OF[template], sample, customer, policy, config, now);
  return { to: composed.to, ...renderTemplate(composed.template, composed.variables, config.mail?.templatesDir) };
}
