import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import type { TestHandoff } from '../support/handoff.ts';
import { BULK_QUEUED_DEFER_MS } from '../../src/app/crm/bulk-access-tags.ts';
import { settleSync, startWithActiveCampaign, tagsIn } from './crm-sync-harness.ts';

describe('a burst of changes to one contact', () => {
  let handoff: TestHandoff;
  let fake: FakeCrmServer;
  beforeAll(async () => {
    // Imports are held (never applied): ActiveCampaign runs one some seconds of real time later,
    // which the fake clock here cannot order against the pushes. So every contact and tag these
    // tests look at comes from a buyer's own push, in the order the worker ran them.
    ({ handoff, activeCampaign: fake } = await startWithActiveCampaign({ importDelayMs: 'held' }));
  });
  afterAll(async () => {
    await handoff.close();
    await fake.close();
  });

  it('ends in one push of the final state, not a replay of every step', async () => {
    const buyer = { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' };
    await handoff.send('purchase', { ...buyer, item: 'product-12', orderId: '6001' });
    await handoff.send('purchase', { ...buyer, item: 'bump-12', orderId: '6002' });
    handoff.clock.advance(60_000);
    await handoff.send('refund', { ...buyer, item: 'product-12', orderId: '6001' });

    await settleSync(handoff);

    const finalTags = ['Focus - Access', 'Focus - Revoke', 'Workbook - Access'];
    expect(tagsIn(fake, 'ada@example.com')).toEqual(finalTags);
    const writes = fake.requests.filter((request) => request.method !== 'GET');
    expect(writes.filter((request) => request.path === '/api/3/contact/sync')).toHaveLength(1);
    // "Bought Focus" came and went inside the burst: it is never applied, so nothing is removed.
    expect(writes.filter((request) => request.path === '/api/3/contactTags')).toHaveLength(finalTags.length);
    expect(writes.filter((request) => request.method === 'DELETE')).toEqual([]);
  });

  it('a launch-sized backlog waits behind the budget without being claimed over and over, and all of it reaches the CRM', async () => {
    const buyers = Array.from({ length: 40 }, (_, index) => `launch-${String(index).padStart(3, '0')}@example.com`);
    for (const [index, email] of buyers.entries())
      await handoff.send('purchase', { email, item: 'product-12', orderId: `61${index}` });

    // The first run queues every buyer's access tag in one bulk import, and each buyer's own push
    // waits its turn (bulk-access.test.ts). Then ActiveCampaign allows 5 requests/s and a contact
    // takes several: one claimed batch spends the budget, and the rest of the backlog is left alone
    // until the budget comes back.
    await handoff.runJobs();
    handoff.clock.advance(BULK_QUEUED_DEFER_MS);
    const ranAtOnce = await handoff.runJobs();
    expect(ranAtOnce).toBeLessThanOrEqual(20);
    expect(await handoff.runJobs()).toBe(0);

    await settleSync(handoff);
    for (const email of buyers) expect(tagsIn(fake, email), email).toEqual(['Bought Focus', 'Focus - Access']);
  }, 60_000);

  it('during a launch, buyers whose sync waited for the budget go before buyers who came after them', async () => {
    const early = Array.from({ length: 20 }, (_, index) => `early-${index}@example.com`);
    const late = Array.from({ length: 40 }, (_, index) => `late-${index}@example.com`);
    for (const [index, email] of early.entries())
      await handoff.send('purchase', { email, item: 'product-12', orderId: `62${index}` });
    // The early buyers' jobs are claimed and meet the spent budget; more buyers arrive meanwhile.
    await handoff.runJobs();
    for (const [index, email] of late.entries())
      await handoff.send('purchase', { email, item: 'product-12', orderId: `63${index}` });

    await settleSync(handoff);
    // The fake numbers contacts as it creates them. Once the kind has waited for the budget, its
    // jobs run one at a time in line order, so every early buyer reaches the CRM first. (Run in
    // parallel they raced for the budget, and about half of the early buyers came after some of
    // the late ones.)
    const created = (emails: string[]): number[] =>
      emails.map((email) => Number(fake.state.findContactByEmail(email)!.id));
    expect(Math.max(...created(early))).toBeLessThan(Math.min(...created(late)));
  }, 60_000);

  /** Association ids the fake gave, in the order tags were applied, for these buyers and this tag. */
  const appliedOrder = (emails: string[], tag: string): number[] => {
    const tagId = fake.state.findTagByName(tag)!.id;
    return emails.map((email) => fake.state.findAssociation(fake.state.findContactByEmail(email)!.id, tagId)!.id);
  };

  it("at a launch every buyer's access tag reaches the CRM before anyone's other tags", async () => {
    const buyers = Array.from({ length: 12 }, (_, index) => `first-${index}@example.com`);
    for (const [index, email] of buyers.entries())
      await handoff.send('purchase', { email, item: 'product-12', orderId: `64${index}` });

    await settleSync(handoff);

    for (const email of buyers) expect(tagsIn(fake, email), email).toEqual(['Bought Focus', 'Focus - Access']);
    expect(Math.max(...appliedOrder(buyers, 'Focus - Access'))).toBeLessThan(
      Math.min(...appliedOrder(buyers, 'Bought Focus')),
    );
  }, 60_000);

  it("a buyer whose call met a passing 500 keeps their place: their access tag still comes before the others' remaining tags", async () => {
    const buyers = Array.from({ length: 8 }, (_, index) => `unlucky-${index}@example.com`);
    for (const [index, email] of buyers.entries())
      await handoff.send('purchase', { email, item: 'product-12', orderId: `65${index}` });
    fake.replyOnce('POST', '/api/3/contact/sync', { status: 500, text: '<h1>500 Internal Server Error</h1>' });

    await settleSync(handoff);

    for (const email of buyers) expect(tagsIn(fake, email), email).toEqual(['Bought Focus', 'Focus - Access']);
    expect(Math.max(...appliedOrder(buyers, 'Focus - Access'))).toBeLessThan(
      Math.min(...appliedOrder(buyers, 'Bought Focus')),
    );
  }, 60_000);
});
