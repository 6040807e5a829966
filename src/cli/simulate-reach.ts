import type { HandoffConfig } from '../config/schema.ts';

/**
 * The real systems a simulated delivery would reach through this configuration: CRMs (but not the
 * in-process `memory` one), AccessAlly, an SMTP server, outbound webhook endpoints in the file.
 * Endpoints added in the console live in the database; they are named as a possibility.
 */
export function realSystemsReached(config: HandoffConfig): string[] {
  const reached: string[] = [];
  for (const crm of config.crm) if (crm.provider !== 'memory') reached.push(`the CRM "${crm.name}" (${crm.provider})`);
  if (config.accessally) reached.push(`AccessAlly at ${new URL(config.accessally.webhookUrl).origin}`);
  if (config.mail?.smtp) reached.push('your SMTP server (dunning e-mails to the address you give)');
  for (const endpoint of config.webhooks?.endpoints ?? [])
    reached.push(`the webhook endpoint "${endpoint.name}" (${new URL(endpoint.url).origin})`);
  return reached;
}
