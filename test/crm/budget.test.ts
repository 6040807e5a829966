/**
 * Each connector's declared budget against its fake's enforcement of the provider's real limits:
 * the heaviest traffic the budget allows (a full burst at the start of every window) must never
 * be refused, and one call more must be. This is what lets the sync layer's limiter trust
 * `connector.budget`.
 */
import { describe, expect, it } from 'vitest';
import type { CrmConnector } from '../../src/ports/crm-connector.ts';
import { startActiveCampaignFake } from '../support/crm-fakes/activecampaign.ts';
import { startDripFake } from '../support/crm-fakes/drip.ts';
import type { FakeCrmServer, FakeServerOptions } from '../support/crm-fakes/fake-crm-server.ts';
import { startKeapFake } from '../support/crm-fakes/keap.ts';
import { startKitFake } from '../support/crm-fakes/kit.ts';
import { startOntraportFake } from '../support/crm-fakes/ontraport.ts';
import { createCrmConnector, crmConfigSchema } from '../../src/adapters/crm/registry.ts';
import { crmErrorFrom } from './rejection.ts';

const KEY = 'budget-key-abcdef';
const CONCURRENCY = 50;

interface BudgetCase {
  name: string;
  startFake(options: FakeServerOptions): Promise<FakeCrmServer>;
  config(url: string): unknown;
  /** The longest window the provider enforces, which the bursts must span. */
  longestProviderWindowMs: number;
}

const cases: BudgetCase[] = [
  {
    name: 'activecampaign',
    startFake: (options) => startActiveCampaignFake(KEY, options),
    config: (url) => ({ provider: 'activecampaign', baseUrl: url, apiToken: KEY }),
    longestProviderWindowMs: 1000,
  },
  {
    name: 'kit',
    startFake: (options) => startKitFake(KEY, options),
    config: (url) => ({ provider: 'kit', baseUrl: url, apiKey: KEY }),
    longestProviderWindowMs: 60_000,
  },
  {
    name: 'keap (PAT: 10/s and 240/min)',
    startFake: (options) => startKeapFake(KEY, 'pat', options),
    config: (url) => ({ provider: 'keap', baseUrl: url, keyType: 'pat', apiKey: KEY }),
    longestProviderWindowMs: 60_000,
  },
  {
    name: 'keap (OAuth)',
    startFake: (options) => startKeapFake(KEY, 'oauth', options),
    config: (url) => ({ provider: 'keap', baseUrl: url, keyType: 'oauth', apiKey: KEY }),
    longestProviderWindowMs: 60_000,
  },
  {
    name: 'ontraport',
    startFake: (options) => startOntraportFake('app', KEY, options),
    config: (url) => ({ provider: 'ontraport', baseUrl: url, appId: 'app', apiKey: KEY }),
    longestProviderWindowMs: 60_000,
  },
  {
    name: 'drip',
    startFake: (options) => startDripFake('42', KEY, options),
    config: (url) => ({ provider: 'drip', baseUrl: url, accountId: '42', apiToken: KEY }),
    longestProviderWindowMs: 3_600_000,
  },
];

async function checkTimes(connector: CrmConnector, count: number): Promise<void> {
  for (let done = 0; done < count; done += CONCURRENCY) {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count - done) }, () => connector.check()));
  }
}

describe.each(cases)('declared budget vs provider limits: $name', (budgetCase) => {
  it('is never refused at the fullest pace the budget allows, and is refused one call beyond it', async () => {
    let clock = 0;
    const fake = await budgetCase.startFake({ now: () => clock });
    try {
      const connector = createCrmConnector(crmConfigSchema.parse(budgetCase.config(fake.url)));
      const { requests, perMs } = connector.budget;
      const bursts = Math.ceil(budgetCase.longestProviderWindowMs / perMs) + 1;

      for (let burst = 0; burst < bursts; burst += 1) {
        clock = burst * perMs;
        await checkTimes(connector, requests);
      }
      const error = await crmErrorFrom(connector.check());

      expect(error.kind).toBe('rate_limited');
    } finally {
      await fake.close();
    }
  });
});
