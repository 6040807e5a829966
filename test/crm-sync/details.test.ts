import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import { resyncContact } from '../../src/app/contacts/resync-contact.ts';
import type { TestHandoff } from '../support/handoff.ts';
import { settleSync, startWithActiveCampaign } from './crm-sync-harness.ts';

describe('a change of name alone, and a resync', () => {
  let handoff: TestHandoff;
  let activeCampaign: FakeCrmServer;

  beforeAll(async () => {
    ({ handoff, activeCampaign: activeCampaign } = await startWithActiveCampaign());
  });
  afterAll(async () => {
    await handoff.close();
    await activeCampaign.close();
  });

  /**
   * A customer buys product-12, and two days later ThriveCart reports a change of their details
   * (another name, or a `newEmail`); each is pushed to the CRM before the next step.
   */
  async function buyThenChangeDetails(
    customer: { email: string; customerId: string; orderId: string; firstName: string; lastName: string },
    change: { newEmail?: string; firstName: string; lastName: string },
  ): Promise<void> {
    const { email, customerId, orderId, firstName, lastName } = customer;
    await handoff.send('purchase', { email, item: 'product-12', orderId, customerId, firstName, lastName });
    await settleSync(handoff);
    handoff.clock.advanceDays(2);
    await handoff.send('customer_updated', { email, customerId, ...change });
    await settleSync(handoff);
  }

  it('reaches the CRM although no tag changes', async () => {
    await buyThenChangeDetails(
      {
        email: 'name@example.com',
        customerId: '429583657727480001',
        orderId: '7401',
        firstName: 'Bea',
        lastName: 'Old',
      },
      { firstName: 'Bea', lastName: 'Married' },
    );
    expect(activeCampaign.state.findContactByEmail('name@example.com')).toMatchObject({
      firstName: 'Bea',
      lastName: 'Married',
    });
  });

  it('after an email change, the CRM record of the old email stops carrying the access tags', async () => {
    await buyThenChangeDetails(
      {
        email: 'before@example.com',
        customerId: '429583657727480002',
        orderId: '7402',
        firstName: 'Cy',
        lastName: 'Moved',
      },
      { newEmail: 'after@example.com', firstName: 'Cy', lastName: 'Moved' },
    );
    const state = activeCampaign.state;
    expect(state.tagNamesOf(state.findContactByEmail('after@example.com')!.id).sort()).toEqual([
      'Bought Focus',
      'Focus - Access',
    ]);
    expect(state.tagNamesOf(state.findContactByEmail('before@example.com')!.id)).toEqual([]);
  });

  it('resync repairs a tag removed by hand in the CRM, which a normal push would not notice', async () => {
    const contact = activeCampaign.state.findContactByEmail('name@example.com')!;
    activeCampaign.state.removeTag(contact.id, activeCampaign.state.findTagByName('Focus - Access')!.id);
    await settleSync(handoff);
    expect(activeCampaign.state.tagNamesOf(contact.id)).toEqual(['Bought Focus']);

    const waitOnTheFakeClock = (ms: number): Promise<void> => Promise.resolve(handoff.clock.advance(ms));
    const report = await resyncContact(handoff.runtime.ctx, 'name@example.com', waitOnTheFakeClock);
    expect(report).toMatchObject({
      checked: 1,
      errors: [],
      drift: [{ connector: 'activecampaign', missing: ['Focus - Access'], extra: [], fixed: true }],
    });
    expect(activeCampaign.state.tagNamesOf(contact.id).sort()).toEqual(['Bought Focus', 'Focus - Access']);
    expect(await resyncContact(handoff.runtime.ctx, 'name@example.com', waitOnTheFakeClock)).toMatchObject({
      checked: 1,
      drift: [],
    });
  });
});
