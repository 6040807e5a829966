import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';

describe('the access check under concurrent page views', () => {
  let handoff: TestHandoff;
  beforeAll(async () => {
    handoff = await startTestHandoff();
  });
  afterAll(() => handoff.close());

  it('answers each of many simultaneous questions about different people with that person’s own access', async () => {
    // Lookups that arrive together are answered by one query; no answer may go to the wrong asker.
    const buyers = Array.from({ length: 12 }, (_, index) => ({
      email: `page-view-${index}@example.com`,
      item: index % 2 === 0 ? 'product-12' : 'upsell-2',
    }));
    for (const [index, buyer] of buyers.entries()) await handoff.send('purchase', { ...buyer, orderId: `96${index}` });
    await handoff.send('refund', { email: buyers[0]!.email, item: 'product-12', orderId: '960' });

    const questions = [
      ...buyers.flatMap((buyer) => [
        { email: buyer.email, offering: 'focus-course' },
        { email: buyer.email.toUpperCase(), offering: 'masterclass' },
      ]),
      { email: 'never-bought@example.com', offering: 'focus-course' },
      { email: 'never-bought-either@example.com', offering: 'masterclass' },
    ];
    const answers = await Promise.all(
      questions.map(({ email, offering }) =>
        handoff.api<{ granted: boolean; reason: string }>(
          `/api/access?email=${encodeURIComponent(email)}&offering=${offering}`,
        ),
      ),
    );

    const expected = questions.map(({ email, offering }) => {
      const index = buyers.findIndex((buyer) => buyer.email === email.toLowerCase());
      if (index === -1) return { granted: false, reason: 'No purchase recorded for this email' };
      const bought = buyers[index]!.item === 'product-12' ? 'focus-course' : 'masterclass';
      return { granted: bought === offering && index !== 0, reason: expect.any(String) };
    });
    expect(answers.map((answer) => answer.status)).toEqual(questions.map(() => 200));
    expect(answers.map((answer) => ({ granted: answer.body.granted, reason: answer.body.reason }))).toEqual(expected);
    expect(answers[0]!.body.reason).toMatch(/^Refunded/);
  });
});
