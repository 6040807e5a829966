import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';

interface ContactBody {
  email: string;
  name: string | null;
  thrivecartCustomerId: string;
  tags: { name: string; deliveryId: number | null }[];
  access: { offering: string; granted: boolean; until: string | null; reason: string }[];
}

describe('a purchase with a bump, then a refund of the bump only', () => {
  let handoff: TestHandoff;
  beforeAll(async () => {
    handoff = await startTestHandoff();
  });
  afterAll(() => handoff.close());

  it('grants the product and the bump as separate offerings (bump-12 is not product-12)', async () => {
    const sent = await handoff.send('purchase', {
      email: ' Ada@Example.COM ',
      item: 'product-12',
      extraItems: ['bump-12'],
      orderId: '5001',
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    expect(sent).toMatchObject({ status: 200, body: { status: 'applied' } });

    const contact = await handoff.api<ContactBody>('/api/contacts/ada@example.com');
    expect(contact.status).toBe(200);
    expect(contact.body.name).toBe('Ada Lovelace');
    expect(contact.body.tags.map((tag) => tag.name).sort()).toEqual([
      'Bought Focus',
      'Focus - Access',
      'Workbook - Access',
    ]);
    expect(contact.body.access).toEqual([
      expect.objectContaining({ offering: 'focus-course', granted: true, until: null }),
      expect.objectContaining({ offering: 'focus-workbook', granted: true, until: null }),
    ]);
  });

  it('revokes only what the refunded bump granted', async () => {
    handoff.clock.advanceDays(2);
    const refund = await handoff.send('refund', { email: 'ada@example.com', item: 'bump-12', orderId: '5001' });
    expect(refund.body.status).toBe('applied');

    const workbook = await handoff.api('/api/access?email=ada@example.com&offering=focus-workbook');
    expect(workbook.body).toMatchObject({ granted: false, until: null });
    expect(String(workbook.body.reason)).toMatch(/^Refunded .*bump-12/);
    const course = await handoff.api('/api/access?email=ada@example.com&offering=focus-course');
    expect(course.body).toMatchObject({ granted: true });

    const contact = await handoff.api<ContactBody>('/api/contacts/ada@example.com');
    expect(contact.body.tags.map((tag) => tag.name).sort()).toEqual([
      'Bought Focus',
      'Focus - Access',
      'Workbook - Access',
      'Workbook - Revoke',
    ]);
  });
});
