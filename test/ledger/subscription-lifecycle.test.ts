import { afterEach, describe, expect, it } from 'vitest';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';

const DAY = 86_400_000;

describe('subscription lifecycle', () => {
  let handoff: TestHandoff;
  afterEach(() => handoff.close());

  it('keeps access after a cancellation until the paid period ends, then revokes it, even across a restart', async () => {
    handoff = await startTestHandoff();
    const email = 'member@example.com';
    const paidThrough = new Date(handoff.clock.now() + 20 * DAY);
    await handoff.send('purchase', { email, item: 'product-40', recurring: true, orderId: '8001' });
    handoff.clock.advanceDays(10);
    const cancel = await handoff.send('cancel', { email, item: 'product-40', orderId: '8001', paidThrough });
    expect(cancel.body.status).toBe('applied');
    expect((await handoff.api('/api/access?email=member@example.com&offering=community')).body).toEqual({
      granted: true,
      until: paidThrough.toISOString().replace(/\.\d{3}Z$/, '.000Z'),
      reason: expect.stringMatching(/^Cancelled .* access continues until the paid period ends on /),
    });

    // The process stops: a new one on the same database must still revoke at the period's end.
    await handoff.restart();
    handoff.clock.set(paidThrough.getTime() - 1000);
    expect(await handoff.runJobs()).toBe(0);
    handoff.clock.set(paidThrough.getTime() + 1000);
    // Before the timer runs, the access API already answers from time, not from the stale ledger.
    expect((await handoff.api('/api/access?email=member@example.com&offering=community')).body).toMatchObject({
      granted: false,
    });
    expect(await handoff.runJobs()).toBe(1);

    const contact = await handoff.runtime.ctx.pool.query<{ tags: string[] }>(
      `select array(select jsonb_object_keys(ledger->'tags') order by 1) as tags from contacts where email = $1`,
      [email],
    );
    expect(contact.rows[0]!.tags).toEqual(['Community - Access', 'Community - Revoke']);
    const access = await handoff.api('/api/access?email=member@example.com&offering=community');
    expect(access.body).toMatchObject({ granted: false, reason: expect.stringMatching(/the paid period ended on/) });
  });

  it('revokes at once when the item says onCancel: immediately', async () => {
    handoff = await startTestHandoff();
    await handoff.send('purchase', { email: 'now@example.com', item: 'product-41', recurring: true, orderId: '8002' });
    handoff.clock.advanceDays(3);
    await handoff.send('cancel', {
      email: 'now@example.com',
      item: 'product-41',
      orderId: '8002',
      paidThrough: new Date(handoff.clock.now() + 27 * DAY),
    });
    expect((await handoff.api('/api/access?email=now@example.com&offering=community')).body).toMatchObject({
      granted: false,
      until: null,
    });
  });

  it('records a partial refund without revoking, unless the item says onPartialRefund: revoke', async () => {
    handoff = await startTestHandoff();
    await handoff.send('purchase', {
      email: 'partial@example.com',
      item: 'product-12',
      extraItems: ['upsell-2'],
      orderId: '8003',
    });
    handoff.clock.advanceDays(1);
    await handoff.send('refund', {
      email: 'partial@example.com',
      item: 'product-12',
      orderId: '8003',
      refundAmountCents: 1000,
    });
    await handoff.send('refund', {
      email: 'partial@example.com',
      item: 'upsell-2',
      orderId: '8003',
      refundAmountCents: 1000,
    });
    expect((await handoff.api('/api/access?email=partial@example.com&offering=focus-course')).body).toMatchObject({
      granted: true,
    });
    expect((await handoff.api('/api/access?email=partial@example.com&offering=masterclass')).body).toMatchObject({
      granted: false,
      reason: expect.stringMatching(/^Partially refunded/),
    });
  });

  it('revokes while paused and restores on resume', async () => {
    handoff = await startTestHandoff();
    await handoff.send('purchase', {
      email: 'pause@example.com',
      item: 'product-40',
      recurring: true,
      orderId: '8004',
    });
    handoff.clock.advanceDays(5);
    await handoff.send('pause', { email: 'pause@example.com', item: 'product-40', orderId: '8004' });
    expect((await handoff.api('/api/access?email=pause@example.com&offering=community')).body).toMatchObject({
      granted: false,
      reason: expect.stringMatching(/^Paused/),
    });
    handoff.clock.advanceDays(5);
    await handoff.send('resume', { email: 'pause@example.com', item: 'product-40', orderId: '8004' });
    expect((await handoff.api('/api/access?email=pause@example.com&offering=community')).body).toMatchObject({
      granted: true,
    });
  });

  it('takes event time from date_unix, not from the original order block or the arrival time', async () => {
    handoff = await startTestHandoff();
    await handoff.send('purchase', { email: 'late@example.com', item: 'product-40', recurring: true, orderId: '8005' });
    const renewedAt = new Date(handoff.clock.now() + 30 * DAY);
    handoff.clock.advanceDays(45);
    await handoff.send('renewal', {
      email: 'late@example.com',
      item: 'product-40',
      orderId: '8005',
      occurredAt: renewedAt,
      paymentIndex: 1,
    });
    const timeline = await handoff.api<{ timeline: { at: string; summary: string }[] }>(
      '/api/contacts/late@example.com/timeline',
    );
    expect(timeline.body.timeline.map((entry) => entry.at)).toEqual([
      new Date(handoff.clock.now() - 45 * DAY).toISOString(),
      renewedAt.toISOString(),
    ]);
    expect(timeline.body.timeline[1]!.summary).toMatch(/^Paid \$47\.00 for Community \(product-40\)/);
  });
});
