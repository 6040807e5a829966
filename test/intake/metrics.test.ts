import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestHandoff, type TestHandoff } from '../support/handoff.ts';

function sample(text: string, metric: string, labels: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${metric}{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('/metrics', () => {
  let handoff: TestHandoff;
  beforeAll(async () => {
    handoff = await startTestHandoff();
  });
  afterAll(() => handoff.close());

  const scrape = async (): Promise<string> =>
    (
      await handoff.server.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      })
    ).body;

  it('needs the admin token (or the metrics token)', async () => {
    expect((await handoff.server.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
  });

  it('counts deliveries by event and outcome, and reads queue depth and dunning cases from the database', async () => {
    const before = await scrape();
    await handoff.send('purchase', { email: 'm@example.com', item: 'product-40', recurring: true, orderId: '9701' });
    await handoff.send('purchase', { email: 'm@example.com', item: 'product-40', recurring: true, orderId: '9701' });
    handoff.clock.advanceDays(30);
    await handoff.send('failed', { email: 'm@example.com', item: 'product-40', orderId: '9701' });
    const after = await scrape();
    expect(
      sample(after, 'handoff_deliveries_total', 'event="order.success",status="applied"') -
        sample(before, 'handoff_deliveries_total', 'event="order.success",status="applied"'),
    ).toBe(1);
    expect(
      sample(after, 'handoff_deliveries_total', 'event="order.success",status="duplicate"') -
        sample(before, 'handoff_deliveries_total', 'event="order.success",status="duplicate"'),
    ).toBe(1);
    expect(sample(after, 'handoff_dunning_cases', 'state="open"')).toBe(1);
    expect(sample(after, 'handoff_jobs', 'kind="contact.recompute",state="pending"')).toBe(1);
    expect(after).toContain('handoff_delivery_apply_seconds_bucket');
  });
});
