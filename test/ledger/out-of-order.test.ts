import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';

const DAY = 86_400_000;

describe('out-of-order and duplicated deliveries', () => {
  let handoff: TestHandoff;
  beforeAll(async () => {
    handoff = await startTestHandoff();
  });
  afterAll(() => handoff.close());

  it('a refund that arrives before its purchase still ends with the item revoked', async () => {
    const purchasedAt = new Date(handoff.clock.now() - 2 * DAY);
    await handoff.send('refund', {
      email: 'early-refund@example.com',
      item: 'product-12',
      orderId: '9101',
      occurredAt: new Date(handoff.clock.now() - DAY),
    });
    await handoff.send('purchase', {
      email: 'early-refund@example.com',
      item: 'product-12',
      orderId: '9101',
      occurredAt: purchasedAt,
    });
    const access = await handoff.api('/api/access?email=early-refund@example.com&offering=focus-course');
    expect(access.body).toMatchObject({ granted: false, reason: expect.stringMatching(/^Refunded/) });
    const contact = await handoff.api<{ tags: { name: string }[] }>('/api/contacts/early-refund@example.com');
    expect(contact.body.tags.map((tag) => tag.name).sort()).toEqual(['Focus - Access', 'Focus - Revoke']);
  });

  it('a renewal, a failure and a cancellation delivered backwards converge to the ordered history', async () => {
    const t0 = handoff.clock.now() - 60 * DAY;
    const events = [
      ['purchase', { recurring: true, occurredAt: new Date(t0) }],
      ['renewal', { occurredAt: new Date(t0 + 30 * DAY), paymentIndex: 1 }],
      ['failed', { occurredAt: new Date(t0 + 55 * DAY) }],
      ['cancel', { occurredAt: new Date(t0 + 56 * DAY), paidThrough: new Date(t0 + 60 * DAY + DAY) }],
    ] as const;
    for (const [event, options] of [...events].reverse()) {
      await handoff.send(event, { email: 'backwards@example.com', item: 'product-40', orderId: '9102', ...options });
    }
    for (const [event, options] of events) {
      await handoff.send(event, { email: 'inorder@example.com', item: 'product-40', orderId: '9103', ...options });
    }
    const backwards = await handoff.api<{ tags: { name: string }[]; access: unknown[] }>(
      '/api/contacts/backwards@example.com',
    );
    const inOrder = await handoff.api<{ tags: { name: string }[]; access: unknown[] }>(
      '/api/contacts/inorder@example.com',
    );
    const withoutOrderId = (access: unknown[]): string =>
      JSON.stringify(access).replaceAll('9102', 'ORDER').replaceAll('9103', 'ORDER');
    expect(withoutOrderId(backwards.body.access)).toEqual(withoutOrderId(inOrder.body.access));
    expect(backwards.body.tags.map((tag) => tag.name)).toEqual(inOrder.body.tags.map((tag) => tag.name));
    expect(backwards.body.access).toEqual([
      expect.objectContaining({ offering: 'community', granted: true, until: new Date(t0 + 61 * DAY).toISOString() }),
    ]);
  });

  it('six copies of one delivery, three in sequence and three in parallel, apply once', async () => {
    const send = (): ReturnType<TestHandoff['send']> =>
      handoff.send('purchase', { email: 'copies@example.com', item: 'product-12', orderId: '9104' });
    const sequential = [await send(), await send(), await send()];
    const parallel = await Promise.all([send(), send(), send()]);
    const statuses = [...sequential, ...parallel].map((response) => response.body.status);
    expect(statuses.filter((status) => status === 'applied')).toHaveLength(1);
    expect(statuses.filter((status) => status === 'duplicate')).toHaveLength(5);
    const stored = await handoff.runtime.ctx.pool.query(
      `select count(*)::int as count from deliveries d join contacts c on c.id = d.contact_id where c.email = 'copies@example.com'`,
    );
    expect(stored.rows[0]).toEqual({ count: 1 });
  });

  it('a new buyer’s purchase and failed payment arriving at once create one contact with both', async () => {
    // A purchase by someone new is stored in one statement of its own; a failed payment goes the
    // ordinary way (it opens a dunning case). Whichever takes the person's lock first creates them.
    const buyers = Array.from({ length: 40 }, (_, index) => `mixed-${index}@example.com`);
    const answers = await Promise.all(
      buyers.flatMap((email, index) => {
        const both = [
          handoff.send('purchase', { email, item: 'product-12', orderId: `95${index}01` }),
          handoff.send('failed', { email, item: 'product-40', orderId: `95${index}02` }),
        ];
        return index % 2 === 0 ? both : both.reverse();
      }),
    );
    expect(answers.map((answer) => answer.body.status)).toEqual(answers.map(() => 'applied'));
    const contacts = await handoff.runtime.ctx.pool.query<{ email: string; deliveries: number }>(
      `select c.email, count(d.id)::int as deliveries from contacts c join deliveries d on d.contact_id = c.id where c.email like 'mixed-%' group by c.email order by c.email`,
    );
    expect(contacts.rows).toEqual([...buyers].sort().map((email) => ({ email, deliveries: 2 })));
    for (const email of buyers) {
      expect((await handoff.api(`/api/access?email=${email}&offering=focus-course`)).body).toMatchObject({
        granted: true,
      });
    }
  });

  it('different first deliveries for one new buyer arriving at once create one contact with all of them', async () => {
    // A checkout with an order bump and an upsell fires its webhooks together; the identity lock
    // must make the second and third wait for the first one's contact rather than create their own.
    const buyers = Array.from({ length: 10 }, (_, index) => `together-${index}@example.com`);
    const answers = await Promise.all(
      buyers.flatMap((email, index) => [
        handoff.send('purchase', { email, item: 'product-12', orderId: `93${index}1` }),
        handoff.send('purchase', { email, item: 'bump-12', orderId: `93${index}2` }),
        handoff.send('purchase', { email, item: 'upsell-2', orderId: `93${index}3` }),
      ]),
    );
    expect(answers.map((answer) => answer.body.status)).toEqual(answers.map(() => 'applied'));
    const contacts = await handoff.runtime.ctx.pool.query<{ email: string; deliveries: number }>(
      `select c.email, count(d.id)::int as deliveries from contacts c join deliveries d on d.contact_id = c.id where c.email like 'together-%' group by c.email order by c.email`,
    );
    expect(contacts.rows).toEqual([...buyers].sort().map((email) => ({ email, deliveries: 3 })));
    for (const email of buyers) {
      const contact = await handoff.api<{ access: { offering: string; granted: boolean }[] }>(`/api/contacts/${email}`);
      expect(
        contact.body.access
          .filter((entry) => entry.granted)
          .map((entry) => entry.offering)
          .sort(),
      ).toEqual(['focus-course', 'focus-workbook', 'masterclass']);
    }
  });
});
