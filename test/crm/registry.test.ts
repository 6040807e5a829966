import { describe, expect, it } from 'vitest';
import { createCrmConnector, crmConfigSchema, crmProviderNames } from '../../src/adapters/crm/registry.ts';
import { crmEntrySchema } from '../../src/config/schema.ts';

const KEY = 'registry-key-abcdef';

describe('crmConfigSchema', () => {
  it("fills in each provider's public API base", () => {
    expect(crmConfigSchema.parse({ provider: 'kit', apiKey: KEY })).toEqual({
      provider: 'kit',
      baseUrl: 'https://api.kit.com',
      apiVersion: 'v4',
      apiKey: KEY,
    });
    expect(crmConfigSchema.parse({ provider: 'drip', accountId: '1', apiToken: KEY })).toMatchObject({
      baseUrl: 'https://api.getdrip.com',
    });
    expect(crmConfigSchema.parse({ provider: 'ontraport', appId: 'a', apiKey: KEY })).toMatchObject({
      baseUrl: 'https://api.ontraport.com',
    });
    expect(crmConfigSchema.parse({ provider: 'keap', keyType: 'sak', apiKey: KEY })).toMatchObject({
      baseUrl: 'https://api.infusionsoft.com/crm/rest',
    });
  });

  it('requires the per-account URL for ActiveCampaign and the provider-specific keys elsewhere', () => {
    expect(crmConfigSchema.safeParse({ provider: 'activecampaign', apiToken: KEY }).success).toBe(false);
    expect(crmConfigSchema.safeParse({ provider: 'drip', apiToken: KEY }).success).toBe(false);
    expect(crmConfigSchema.safeParse({ provider: 'ontraport', apiKey: KEY }).success).toBe(false);
    expect(crmConfigSchema.safeParse({ provider: 'keap', keyType: 'password', apiKey: KEY }).success).toBe(false);
    expect(crmConfigSchema.safeParse({ provider: 'kit', apiVersion: 'v3', apiKey: KEY }).success).toBe(false);
    expect(crmConfigSchema.safeParse({ provider: 'hubspot', apiKey: KEY }).success).toBe(false);
  });

  it('lists exactly the providers the registry can build', () => {
    expect([...crmProviderNames].sort()).toEqual(['activecampaign', 'drip', 'keap', 'kit', 'memory', 'ontraport']);
  });

  it('derives the config entry schema and its message from the same list, naming every provider', () => {
    const unknown = crmEntrySchema.safeParse({ provider: 'hubspot', apiKey: KEY });

    expect(unknown.success).toBe(false);
    expect(unknown.error?.issues[0]?.message).toBe(`expected provider: ${crmProviderNames.join(', ')}`);
    for (const name of crmProviderNames) expect(unknown.error?.issues[0]?.message).toContain(name);
    expect(crmEntrySchema.parse({ provider: 'memory' })).toMatchObject({ provider: 'memory', name: 'memory' });
  });
});

describe('createCrmConnector', () => {
  const build = (config: unknown) => createCrmConnector(crmConfigSchema.parse(config));

  it("gives each provider's documented budget", () => {
    expect(build({ provider: 'activecampaign', baseUrl: 'https://a.api-us1.com', apiToken: KEY }).budget).toEqual({
      requests: 5,
      perMs: 1000,
    });
    expect(build({ provider: 'kit', apiKey: KEY }).budget).toEqual({ requests: 120, perMs: 60_000 });
    expect(build({ provider: 'drip', accountId: '1', apiToken: KEY }).budget).toEqual({
      requests: 3600,
      perMs: 3_600_000,
    });
    expect(build({ provider: 'ontraport', appId: 'a', apiKey: KEY }).budget).toEqual({ requests: 180, perMs: 60_000 });
    expect(build({ provider: 'keap', keyType: 'pat', apiKey: KEY }).budget).toEqual({ requests: 4, perMs: 1000 });
    expect(build({ provider: 'keap', keyType: 'oauth', apiKey: KEY }).budget).toEqual({
      requests: 1500,
      perMs: 60_000,
    });
  });

  it('derives a stable budget key from hashes, never containing the key', () => {
    const kit = build({ provider: 'kit', apiKey: KEY });

    expect(kit.budgetKey).toMatch(/^[0-9a-f]{32}$/);
    expect(build({ provider: 'kit', apiKey: KEY }).budgetKey).toBe(kit.budgetKey);
    expect(build({ provider: 'kit', apiKey: 'another-key' }).budgetKey).not.toBe(kit.budgetKey);
    expect(kit.budgetKey).not.toContain(KEY);
  });

  it('shares one budget key between keys of one account where the provider counts per account', () => {
    const ac = (apiToken: string) =>
      build({ provider: 'activecampaign', baseUrl: 'https://a.api-us1.com', apiToken }).budgetKey;
    const ontraport = (appId: string, apiKey: string) => build({ provider: 'ontraport', appId, apiKey }).budgetKey;
    const keap = (keyType: string, apiKey: string) => build({ provider: 'keap', keyType, apiKey }).budgetKey;

    expect(ac('key-one')).toBe(ac('key-two'));
    expect(
      build({ provider: 'activecampaign', baseUrl: 'https://b.api-us1.com', apiToken: 'key-one' }).budgetKey,
    ).not.toBe(ac('key-one'));
    expect(ontraport('app', 'key-one')).toBe(ontraport('app', 'key-two'));
    expect(ontraport('other-app', 'key-one')).not.toBe(ontraport('app', 'key-one'));
    // Keap: PAT/SAK quotas are per tenant, OAuth quotas per application, never per key.
    expect(keap('pat', 'key-one')).toBe(keap('sak', 'key-two'));
    expect(keap('oauth', 'token-one')).toBe(keap('oauth', 'token-two'));
    expect(keap('oauth', 'key-one')).not.toBe(keap('pat', 'key-one'));
  });

  it('separates Drip budgets by account id', () => {
    const drip = (accountId: string) => build({ provider: 'drip', accountId, apiToken: KEY }).budgetKey;

    expect(drip('1')).not.toBe(drip('2'));
  });
});
