import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startActiveCampaignFake } from '../support/crm-fakes/activecampaign.ts';
import { startDripFake } from '../support/crm-fakes/drip.ts';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import { eraseContact } from '../../src/app/contacts/contact-data-rights.ts';
import type { TestHandoff } from '../support/handoff.ts';
import { AC_TOKEN, activeCampaignEntry, crmConfig, jobsIn, settleSync, startHandoffWith } from './crm-sync-harness.ts';

const DRIP_ACCOUNT = '9999999';
const DRIP_TOKEN = 'drip-token';

describe('GDPR erasure reaches the CRMs', () => {
  let handoff: TestHandoff;
  let activeCampaign: FakeCrmServer;
  let drip: FakeCrmServer;

  beforeAll(async () => {
    handoff = await startHandoffWith(async (clock) => {
      activeCampaign = await startActiveCampaignFake(AC_TOKEN, { now: () => clock.now() });
      drip = await startDripFake(DRIP_ACCOUNT, DRIP_TOKEN, { now: () => clock.now() });
      return crmConfig(`${activeCampaignEntry(activeCampaign)}
  - provider: drip
    baseUrl: ${drip.url}
    accountId: "${DRIP_ACCOUNT}"
    apiToken: ${DRIP_TOKEN}`);
    });
  });
  afterAll(async () => {
    await handoff.close();
    await activeCampaign.close();
    await drip.close();
  });

  it('deletes the erased person from every CRM it was pushed to, and keeps everyone else', async () => {
    await handoff.send('purchase', {
      email: 'forget.me@example.com',
      item: 'product-12',
      orderId: '7301',
      firstName: 'Forget',
      lastName: 'Me',
    });
    await handoff.send('purchase', { email: 'keep.me@example.com', item: 'product-12', orderId: '7302' });
    await settleSync(handoff);
    for (const fake of [activeCampaign, drip])
      expect(fake.state.findContactByEmail('forget.me@example.com')).toBeDefined();

    await eraseContact(handoff.runtime.ctx, 'forget.me@example.com', 'amy');
    await settleSync(handoff);

    for (const fake of [activeCampaign, drip]) {
      expect(fake.state.findContactByEmail('forget.me@example.com')).toBeUndefined();
      expect(fake.state.findContactByEmail('keep.me@example.com')).toBeDefined();
    }
    expect(await jobsIn(handoff, 'dead')).toEqual([]);
    const leftovers = await handoff.runtime.ctx.pool.query(
      `select count(*)::int as count from jobs where payload::text like '%forget.me%'`,
    );
    expect(leftovers.rows[0]).toEqual({ count: 0 });
  });

  it('also deletes the record a change of e-mail left behind, which still holds the old address and name', async () => {
    const customerId = '429583657727480777';
    await handoff.send('purchase', {
      email: 'old.address@example.com',
      item: 'product-12',
      orderId: '7303',
      customerId,
      firstName: 'Moved',
      lastName: 'Away',
    });
    await settleSync(handoff);
    handoff.clock.advanceDays(2);
    await handoff.send('customer_updated', {
      email: 'old.address@example.com',
      newEmail: 'new.address@example.com',
      customerId,
      firstName: 'Moved',
      lastName: 'Away',
    });
    await settleSync(handoff);
    // Both CRMs match by e-mail: each now holds the person twice, the old record without tags.
    for (const fake of [activeCampaign, drip]) {
      expect(fake.state.findContactByEmail('old.address@example.com')).toBeDefined();
      expect(fake.state.findContactByEmail('new.address@example.com')).toBeDefined();
    }

    await eraseContact(handoff.runtime.ctx, 'new.address@example.com', 'amy');
    await settleSync(handoff);

    for (const fake of [activeCampaign, drip]) {
      expect(fake.state.findContactByEmail('new.address@example.com')).toBeUndefined();
      expect(fake.state.findContactByEmail('old.address@example.com')).toBeUndefined();
    }
    expect(await jobsIn(handoff, 'dead')).toEqual([]);
  });
});
