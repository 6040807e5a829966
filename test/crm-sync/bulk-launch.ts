/**
 * A launch for the bulk-import tests: Handoff with one ActiveCampaign account (its imports applied
 * after `importDelayMs`, or held until the test applies them) and `buyers` purchases of product-12.
 */
import { afterEach, expect } from 'vitest';
import type { ActiveCampaignFake } from '../support/crm-fakes/activecampaign.ts';
import type { LoggedRequest } from '../support/crm-fakes/fake-crm-server.ts';
import type { TestHandoff } from '../support/handoff.ts';
import { startWithActiveCampaign } from './crm-sync-harness.ts';

export const IMPORT = '/api/3/import/bulk_import';

export interface Launch {
  handoff: TestHandoff;
  fake: ActiveCampaignFake;
  emails: string[];
  /** The bulk import calls ActiveCampaign received so far. */
  imports(): LoggedRequest[];
  /** Runs the due jobs once: the import is sent (and, unless held, applied); every buyer in it waits 10 s before their own push. */
  untilImportSent(): Promise<void>;
  close(): Promise<void>;
}

/** The ThriveCart customer id of the `index`-th buyer (a string: it is longer than a safe integer). */
export const customerIdOf = (index: number): string => `4295836577274${String(index).padStart(5, '0')}`;

export async function launch(buyers: number, importDelayMs: number | 'held'): Promise<Launch> {
  const { handoff, activeCampaign: fake } = await startWithActiveCampaign({ importDelayMs });
  const emails = Array.from({ length: buyers }, (_, index) => `buyer-${String(index).padStart(3, '0')}@example.com`);
  for (const [index, email] of emails.entries())
    await handoff.send('purchase', {
      email,
      firstName: `Buyer ${index}`,
      item: 'product-12',
      orderId: `71${index}`,
      customerId: customerIdOf(index),
    });
  const imports = () => fake.requests.filter((request) => request.method === 'POST' && request.path === IMPORT);
  return {
    handoff,
    fake,
    emails,
    imports,
    untilImportSent: async () => {
      await handoff.runJobs();
      expect(imports()).toHaveLength(1);
      expect(fake.requests.filter((request) => request.path === '/api/3/contact/sync')).toEqual([]);
    },
    close: async () => {
      await handoff.close();
      await fake.close();
    },
  };
}

/**
 * One launch per test, closed after it: `start` begins it; the getters read it. Made once per
 * describe block (it registers the clean-up).
 */
export class LaunchPerTest {
  private current: Launch | undefined;

  constructor() {
    afterEach(async () => {
      await this.current?.close();
      this.current = undefined;
    });
  }

  /** Starts the launch; returns the buyers' e-mails. */
  async start(buyers: number, importDelayMs: number | 'held'): Promise<string[]> {
    this.current = await launch(buyers, importDelayMs);
    return this.current.emails;
  }

  get handoff(): TestHandoff {
    return this.started().handoff;
  }

  get fake(): ActiveCampaignFake {
    return this.started().fake;
  }

  imports(): LoggedRequest[] {
    return this.started().imports();
  }

  untilImportSent(): Promise<void> {
    return this.started().untilImportSent();
  }

  private started(): Launch {
    if (!this.current) throw new Error('no launch started in this test');
    return this.current;
  }
}
