import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import type { TestHandoff } from '../support/handoff.ts';
import { jobsIn, settleSync, startWithActiveCampaignAndKit, tagsIn } from './crm-sync-harness.ts';

describe('a purchase and a refund reach two CRMs at once', () => {
  let handoff: TestHandoff;
  let activeCampaign: FakeCrmServer;
  let kit: FakeCrmServer;

  beforeAll(async () => {
    ({ handoff, activeCampaign, kit } = await startWithActiveCampaignAndKit());
  });
  afterAll(async () => {
    await handoff.close();
    await activeCampaign.close();
    await kit.close();
  });

  it('creates the contact with its names and the purchase tags in both CRMs', async () => {
    await handoff.send('purchase', {
      email: 'ada@example.com',
      item: 'product-12',
      orderId: '7001',
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    await settleSync(handoff);

    for (const fake of [activeCampaign, kit]) {
      expect(tagsIn(fake, 'ada@example.com')).toEqual(['Bought Focus', 'Focus - Access']);
      expect(fake.state.findContactByEmail('ada@example.com')?.firstName).toBe('Ada');
    }
    expect(activeCampaign.state.findContactByEmail('ada@example.com')?.lastName).toBe('Lovelace');
    expect(kit.state.findContactByEmail('ada@example.com')?.fields.last_name).toBe('Lovelace');
  });

  it('on refund removes the item tag and applies the revoke tag in both, leaving a tag added by hand in the CRM', async () => {
    activeCampaign.state.tagOutsideHandoff('ada@example.com', 'Webinar attendee');
    kit.state.tagOutsideHandoff('ada@example.com', 'Webinar attendee');
    handoff.clock.advanceDays(3);

    await handoff.send('refund', { email: 'ada@example.com', item: 'product-12', orderId: '7001' });
    await settleSync(handoff);

    for (const fake of [activeCampaign, kit]) {
      expect(tagsIn(fake, 'ada@example.com')).toEqual(['Focus - Access', 'Focus - Revoke', 'Webinar attendee']);
    }
    expect(await jobsIn(handoff, 'dead')).toEqual([]);
  });

  it('keeps pushing to one CRM while the other is down', async () => {
    kit.setMode('outage');
    await handoff.send('purchase', {
      email: 'grace@example.com',
      item: 'bump-12',
      orderId: '7002',
      firstName: 'Grace',
      lastName: 'Hopper',
    });
    await settleSync(handoff, 60_000);

    expect(tagsIn(activeCampaign, 'grace@example.com')).toEqual(['Workbook - Access']);
    expect(kit.state.findContactByEmail('grace@example.com')).toBeUndefined();
    expect(await jobsIn(handoff, 'pending')).toEqual([
      expect.objectContaining({ kind: 'crm.sync:kit', last_error: expect.stringMatching(/→ 500/) }),
    ]);

    kit.setMode('normal');
    await settleSync(handoff);
    expect(tagsIn(kit, 'grace@example.com')).toEqual(['Workbook - Access']);
  });
});
