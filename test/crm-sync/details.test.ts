import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startActiveCampaignFake } from '../../src/adapters/crm/activecampaign/fake-server.ts';
import type { FakeCrmServer } from '../../src/adapters/crm/fake-crm-server.ts';
import type { TestHandoff } from '../support/handoff.ts';
import { AC_TOKEN, activeCampaignEntry, crmConfig, settleSync, startHandoffWith } from './crm-sync-harness.ts';

describe('a change of name alone', () => {
  let handoff: TestHandoff;
  let activeCampaign: FakeCrmServer;

  beforeAll(async () => {
    handoff = await startHandoffWith(async (clock) => {
      activeCampaign = await startActiveCampaignFake(AC_TOKEN, { now: () => clock.now() });
      return crmConfig(activeCampaignEntry(activeCampaign));
    });
  });
  afterAll(async () => {
    await handoff.close();
    await activeCampaign.close();
  });

  it('reaches the CRM although no tag changes', async () => {
    const customerId = '429583657727480001';
    await handoff.send('purchase', { email: 'name@example.com', item: 'product-12', orderId: '7401', customerId, firstName: 'Bea', lastName: 'Old' });
    await settleSync(handoff);
    handoff.clock.advanceDays(2);
    await handoff.send('customer_updated', { email: 'name@example.com', customerId, firstName: 'Bea', lastName: 'Married' });
    await settleSync(handoff);
    expect(activeCampaign.state.findContactByEmail('name@example.com')).toMatchObject({ firstName: 'Bea', lastName: 'Married' });
  });
});
