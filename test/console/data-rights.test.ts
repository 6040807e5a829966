import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseContact, exportContact } from '../../src/app/contacts/contact-data-rights.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { everythingStored } from '../support/everything-stored.ts';

describe('GDPR export and erasure', () => {
  let handoff: TestHandoff;
  beforeAll(async () => {
    handoff = await startTestHandoff();
    await handoff.send('purchase', {
      email: 'Private.Person@example.com',
      item: 'product-40',
      recurring: true,
      orderId: '9801',
      firstName: 'Priya',
      lastName: 'Privatova',
    });
    handoff.clock.advanceDays(30);
    await handoff.send('failed', {
      email: 'private.person@example.com',
      item: 'product-40',
      orderId: '9801',
      firstName: 'Priya',
      lastName: 'Privatova',
    });
    await handoff.send('abandoned', {
      email: 'private.person@example.com',
      item: 'product-40',
      firstName: 'Priya',
      lastName: 'Privatova',
    });
    await handoff.send('purchase', { email: 'someone.else@example.com', item: 'product-12', orderId: '9802' });
  });
  afterAll(() => handoff.close());

  it('exports every stored field about the person as JSON', async () => {
    const data = await exportContact(handoff.runtime.ctx, 'private.person@example.com');
    expect(data).toMatchObject({
      contact: { email: 'private.person@example.com', firstName: 'Priya', lastName: 'Privatova' },
      access: [expect.objectContaining({ offering: 'community', granted: true })],
      deliveries: [
        expect.objectContaining({ event_name: 'order.success' }),
        expect.objectContaining({ event_name: 'order.rebill_failed' }),
      ],
      dunningCases: [expect.objectContaining({ state: 'open' })],
    });
    expect(data!.timeline.length).toBeGreaterThanOrEqual(2);
  });

  it('erases the person from every table, keeps everyone else, and a late delivery does not bring them back', async () => {
    expect(await everythingStored(handoff)).toContain('private.person@example.com');
    const erased = await eraseContact(handoff.runtime.ctx, 'private.person@example.com', 'amy');
    expect(erased).toEqual({ deliveries: 3 });

    const dump = await everythingStored(handoff);
    expect(dump).not.toContain('private.person@example.com');
    expect(dump).not.toContain('privatova');
    expect(dump).toContain('someone.else@example.com');

    const late = await handoff.send('renewal', {
      email: 'private.person@example.com',
      item: 'product-40',
      orderId: '9801',
      paymentIndex: 1,
    });
    expect(late.body).toMatchObject({
      status: 'ignored',
      reason: 'this person was erased (GDPR); nothing is recorded for them',
    });
    const resent = await handoff.send('purchase', {
      email: 'private.person@example.com',
      item: 'product-40',
      recurring: true,
      orderId: '9801',
    });
    expect(resent.body.status).toBe('duplicate');
    expect((await handoff.api('/api/contacts/private.person@example.com')).status).toBe(404);
    expect(await everythingStored(handoff)).not.toContain('privatova');
  });
});
