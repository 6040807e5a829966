/**
 * The Problems page reads marks the fold leaves on the few ledgers that matter (unmapped items,
 * the next payment a subscription expects) instead of every purchase and ledger. A ledger that
 * lost its marks (folded before they existed) is absent from the page until it is folded again,
 * and `handoff replay` puts every mark back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { replayLedger } from '../../src/app/ledger/replay-ledger.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { testConfigYaml } from '../support/test-config.ts';

interface ProblemsBody {
  unmappedItems: { item: string; orders: number; latestOrderId: string }[];
  silentSubscriptions: { email: string; orderId: string; item: string }[];
}

describe('the derived problem records', () => {
  let handoff: TestHandoff;
  beforeAll(async () => {
    const yaml = testConfigYaml().replace('testMode: ignore', 'testMode: ignore\n  silentAfterDays: 5');
    handoff = await startTestHandoff({ config: parseConfig(yaml, 'test.yaml', {}) });
  });
  afterAll(() => handoff.close());

  it('are what a replay rebuilds: unmapped items and silent subscriptions', async () => {
    for (const [index, email] of ['bump-a@example.com', 'bump-b@example.com'].entries()) {
      await handoff.send('purchase', { email, item: 'product-12', extraItems: ['upsell-9'], orderId: `770${index}` });
    }
    await handoff.send('purchase', {
      email: 'quiet@example.com',
      item: 'product-40',
      orderId: '7710',
      recurring: true,
      nextPaymentAt: new Date(handoff.clock.now() + 30 * 86_400_000),
    });
    handoff.clock.advanceDays(36);
    await handoff.runJobs();
    const expected = {
      unmappedItems: [expect.objectContaining({ item: 'upsell-9', orders: 2, latestOrderId: '7701' })],
      silentSubscriptions: [
        expect.objectContaining({ email: 'quiet@example.com', orderId: '7710', item: 'product-40' }),
      ],
    };
    expect((await handoff.api<ProblemsBody>('/api/problems')).body).toMatchObject(expected);

    // Ledgers as they were before the fold marked them: the page, reading only marked ledgers, finds nothing.
    await handoff.runtime.ctx.pool.query(
      `update contacts set ledger = ledger - 'unmappedItems' - 'nextPaymentExpectedAt'`,
    );
    expect((await handoff.api<ProblemsBody>('/api/problems')).body).toMatchObject({
      unmappedItems: [],
      silentSubscriptions: [],
    });

    await replayLedger(handoff.runtime.ctx, { dryRun: false });
    expect((await handoff.api<ProblemsBody>('/api/problems')).body).toMatchObject(expected);
  });
});
