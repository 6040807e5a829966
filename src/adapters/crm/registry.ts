/**
 * Every CRM provider Handoff can talk to: its config schema and how to build its connector.
 * The config loader validates each `crm:` entry with `crmConfigSchema` and builds the connector
 * with `createCrmConnector`.
 */
import { z } from 'zod';
import type { CrmConnector } from '../../ports/crm-connector.ts';
import { ActiveCampaignConnector } from './activecampaign/connector.ts';
import { activeCampaignOptionsSchema } from './activecampaign/options.ts';
import { DripConnector } from './drip/connector.ts';
import { dripOptionsSchema } from './drip/options.ts';
import type { CrmConnectorDeps } from './http-client.ts';
import { KeapConnector } from './keap/connector.ts';
import { keapOptionsSchema } from './keap/options.ts';
import { KitConnector } from './kit/connector.ts';
import { kitOptionsSchema } from './kit/options.ts';
import { OntraportConnector } from './ontraport/connector.ts';
import { ontraportOptionsSchema } from './ontraport/options.ts';
import { MemoryCrmConnector } from './memory/connector.ts';
import { memoryOptionsSchema } from './memory/options.ts';

export interface CrmProviderEntry<Schema extends z.ZodType> {
  optionsSchema: Schema;
  create(options: z.output<Schema>, deps?: CrmConnectorDeps): CrmConnector;
}

function provider<Schema extends z.ZodType>(entry: CrmProviderEntry<Schema>): CrmProviderEntry<Schema> {
  return entry;
}

export const crmProviders = {
  activecampaign: provider({
    optionsSchema: activeCampaignOptionsSchema,
    create: (options, deps) => new ActiveCampaignConnector(options, deps),
  }),
  drip: provider({ optionsSchema: dripOptionsSchema, create: (options, deps) => new DripConnector(options, deps) }),
  keap: provider({ optionsSchema: keapOptionsSchema, create: (options, deps) => new KeapConnector(options, deps) }),
  kit: provider({ optionsSchema: kitOptionsSchema, create: (options, deps) => new KitConnector(options, deps) }),
  ontraport: provider({
    optionsSchema: ontraportOptionsSchema,
    create: (options, deps) => new OntraportConnector(options, deps),
  }),
  memory: provider({ optionsSchema: memoryOptionsSchema, create: (options) => new MemoryCrmConnector(options) }),
};

export type CrmProviderName = keyof typeof crmProviders;

/** One `crm:` config entry, discriminated on `provider`. */
export const crmConfigSchema = z.discriminatedUnion('provider', [
  activeCampaignOptionsSchema,
  dripOptionsSchema,
  keapOptionsSchema,
  kitOptionsSchema,
  ontraportOptionsSchema,
  memoryOptionsSchema,
]);

export type CrmConfig = z.output<typeof crmConfigSchema>;

export function createCrmConnector(config: CrmConfig, deps: CrmConnectorDeps = {}): CrmConnector {
  const entry: CrmProviderEntry<z.ZodType> = crmProviders[config.provider];
  // Safe: `config.provider` picked the entry, and the schema union guarantees the matching options.
  return entry.create(config, deps);
}
