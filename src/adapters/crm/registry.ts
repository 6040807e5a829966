/**
 * The one list of CRM providers Handoff can talk to. Each entry pairs a provider's options schema
 * (whose `provider` literal is the name written in the config) with how to build its connector.
 * Everything else is derived from this list: the `crm:` config schema and its error message
 * (config/schema.ts), `crmConfigSchema` and `createCrmConnector` below. Adding a provider is one
 * entry here; docs/adding-a-crm.md has the whole checklist.
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

/** A provider's options: an object whose `provider` field is the literal name used in the config. */
export type CrmOptionsSchema = z.ZodObject<{ provider: z.ZodLiteral<string> } & z.ZodRawShape>;

export interface CrmProviderEntry<Schema extends CrmOptionsSchema> {
  optionsSchema: Schema;
  create(options: z.output<Schema>, deps?: CrmConnectorDeps): CrmConnector;
}

function provider<Schema extends CrmOptionsSchema>(
  optionsSchema: Schema,
  create: (options: z.output<Schema>, deps?: CrmConnectorDeps) => CrmConnector,
): CrmProviderEntry<Schema> {
  return { optionsSchema, create };
}

export const crmProviderList = [
  provider(activeCampaignOptionsSchema, (options, deps) => new ActiveCampaignConnector(options, deps)),
  provider(kitOptionsSchema, (options, deps) => new KitConnector(options, deps)),
  provider(keapOptionsSchema, (options, deps) => new KeapConnector(options, deps)),
  provider(ontraportOptionsSchema, (options, deps) => new OntraportConnector(options, deps)),
  provider(dripOptionsSchema, (options, deps) => new DripConnector(options, deps)),
  // The in-process reference CRM, for tests and dry runs.
  provider(memoryOptionsSchema, (options) => new MemoryCrmConnector(options)),
] as const;

type SchemasOf<Entries extends readonly CrmProviderEntry<CrmOptionsSchema>[]> = {
  -readonly [Index in keyof Entries]: Entries[Index] extends CrmProviderEntry<infer Schema> ? Schema : never;
};
/** The options schemas of the list, in its order, keeping each one's type (for discriminated unions). */
export type CrmOptionsSchemas = SchemasOf<typeof crmProviderList>;

export type CrmProviderName = z.output<CrmOptionsSchemas[number]>['provider'];

/** The options schema of every provider, in list order. */
export function crmOptionsSchemas(): CrmOptionsSchemas {
  // The map keeps the order, so each position holds the type the mapped tuple type says.
  return crmProviderList.map((entry) => entry.optionsSchema) as unknown as CrmOptionsSchemas;
}

/** Every provider name, as written in the config. */
export const crmProviderNames: readonly CrmProviderName[] = crmOptionsSchemas().map(
  (schema) => schema.shape.provider.value,
);

/** One `crm:` config entry, discriminated on `provider`. */
export const crmConfigSchema = z.discriminatedUnion('provider', crmOptionsSchemas());

export type CrmConfig = z.output<typeof crmConfigSchema>;

export function createCrmConnector(config: CrmConfig, deps: CrmConnectorDeps = {}): CrmConnector {
  const entry = crmProviderList.find((candidate) => candidate.optionsSchema.shape.provider.value === config.provider);
  if (!entry) throw new Error(`no CRM provider "${config.provider}"`);
  // Safe: `config.provider` picked the entry, and the schema union guarantees the matching options.
  return (entry as CrmProviderEntry<CrmOptionsSchema>).create(config as z.output<CrmOptionsSchema>, deps);
}
