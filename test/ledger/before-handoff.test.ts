/**
 * Orders placed before Handoff was installed: Handoff never saw their purchase, only a later
 * refund, cancellation, failure, pause or completion. The person had the item, so ending it must
 * revoke access (the revoke tag: deny wins in AccessAlly), and a failure duns as for anyone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';

interface ContactBody {
  tags: { name: string }[];
  access: { offering: string; granted: boolean; until: string | null; reason: string }[];
}

const BEFORE_HANDOFF = /bought before Handoff was installed/;

describe('events for orders Handoff never saw', () => {
  let handoff: TestHandoff;
  beforeAll(async () => {
    handoff = await startTestHandoff();
  });
  afterAll(() => handoff.close());

  const contact = async (email: string) => (await handoff.api<ContactBody>(`/api/contacts/${email}`)).body;
  const tagNames = async (email: string) => (await contact(email)).tags.map((tag) => tag.name).sort();

  it('a full refund applies the revoke tag', async () => {
    const refund = await handoff.send('refund', {
      email: 'refunded@example.com',
      item: 'product-12',
      orderId: '8001',
      amountCents: 4700,
      refundAmountCents: 4700,
    });
    expect(refund.body).toMatchObject({ status: 'applied' });
    expect(await tagNames('refunded@example.com')).toEqual(['Focus - Access', 'Focus - Revoke']);
    const access = (await contact('refunded@example.com')).access[0];
    expect(access).toMatchObject({ offering: 'focus-course', granted: false });
    expect(access?.reason).toMatch(BEFORE_HANDOFF);
    expect(access?.reason).toMatch(/^Refunded /);
  });

  it('an immediate cancellation applies the revoke tag at once', async () => {
    const cancel = await handoff.send('cancel', {
      email: 'quitter@example.com',
      item: 'product-41',
      orderId: '8002',
      paidThrough: new Date(handoff.clock.now() + 10 * 86_400_000),
    });
    expect(cancel.body).toMatchObject({ status: 'applied' });
    expect(await tagNames('quitter@example.com')).toEqual(['Community - Access', 'Community - Revoke']);
    expect((await contact('quitter@example.com')).access[0]?.reason).toMatch(BEFORE_HANDOFF);
  });

  it('a cancellation at the end of the period revokes at billing_period_end', async () => {
    const paidThrough = new Date(handoff.clock.now() + 10 * 86_400_000);
    await handoff.send('cancel', { email: 'leaver@example.com', item: 'product-40', orderId: '8003', paidThrough });
    expect((await contact('leaver@example.com')).access[0]).toMatchObject({
      granted: true,
      until: paidThrough.toISOString(),
    });
    expect(await tagNames('leaver@example.com')).toEqual(['Community - Access']);

    handoff.clock.advanceDays(10);
    await handoff.runJobs();
    expect(await tagNames('leaver@example.com')).toEqual(['Community - Access', 'Community - Revoke']);
    expect((await contact('leaver@example.com')).access[0]).toMatchObject({
      granted: false,
      reason: expect.stringMatching(BEFORE_HANDOFF),
    });
  });

  it('a failed payment opens a dunning case as for anyone', async () => {
    const failed = await handoff.send('failed', { email: 'declined@example.com', item: 'product-40', orderId: '8004' });
    expect(failed.body).toMatchObject({ status: 'applied' });
    const cases = await handoff.api<{ cases: { email: string; item: string; orderId: string }[] }>(
      '/api/dunning?state=open',
    );
    expect(cases.body.cases).toContainEqual(
      expect.objectContaining({ email: 'declined@example.com', item: 'product-40', orderId: '8004' }),
    );
    expect(await tagNames('declined@example.com')).toEqual(['Community - Access', 'Payment Failed']);
  });

  it('a pause applies the revoke tag (onPause: revoke)', async () => {
    await handoff.send('pause', { email: 'paused@example.com', item: 'product-40', orderId: '8005' });
    expect(await tagNames('paused@example.com')).toEqual(['Community - Access', 'Community - Revoke']);
  });

  it('the last instalment of a plan keeps access for good, with the paid-in-full tag', async () => {
    await handoff.send('renewal', {
      email: 'finisher@example.com',
      item: 'product-40',
      orderId: '8006',
      paymentIndex: 5,
      remainingRebills: 0,
    });
    expect(await tagNames('finisher@example.com')).toEqual(['Community - Access', 'Community - Paid in full']);
    expect((await contact('finisher@example.com')).access[0]).toMatchObject({ granted: true, until: null });
  });

  it('a purchase that arrives later for the same order is no longer "before Handoff"', async () => {
    handoff.clock.advance(60_000);
    const purchasedAt = new Date(handoff.clock.now() - 30 * 86_400_000);
    await handoff.send('purchase', {
      email: 'refunded@example.com',
      item: 'product-12',
      orderId: '8001',
      occurredAt: purchasedAt,
    });
    const access = (await contact('refunded@example.com')).access[0];
    expect(access).toMatchObject({ granted: false });
    expect(access?.reason).not.toMatch(BEFORE_HANDOFF);
    expect(await tagNames('refunded@example.com')).toEqual(['Focus - Access', 'Focus - Revoke']);
  });
});
