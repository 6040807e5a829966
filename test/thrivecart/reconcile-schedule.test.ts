/**
 * The service's scheduled reconcile with ThriveCart's API (thrivecart.reconcile.every): a durable
 * job that survives a restart, looks at the last 30 days only (paging stops at the first page
 * before them), records what it found as a problem with its fix, and the Fix job applies it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import type { ApiTransaction } from '../../src/adapters/sources/thrivecart/api-client.ts';
import {
  reconcilePeriod,
  scheduleThriveCartReconcile,
  THRIVECART_RECONCILE_JOB,
} from '../../src/app/thrivecart/scheduled-reconcile.ts';
import { consoleCookie } from '../support/console-session.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { TEST_ACCOUNT, testConfigYaml } from '../support/test-config.ts';
import { startThriveCartApiFake, withThriveCartApi, type ThriveCartApiFake } from '../support/thrivecart-api-fake.ts';

const DAY_MS = 86_400_000;
const API_KEY = 'tc-api-key-for-schedule-tests';

interface ReconcileBody {
  reconcile: { findings: { email: string; kind: string; orderId: string }[]; error: string | null; fix: string } | null;
}

describe('the scheduled reconcile with ThriveCart', () => {
  let handoff: TestHandoff;
  let fake: ThriveCartApiFake;
  const jobs = async () =>
    (
      await handoff.runtime.ctx.pool.query<{ key: string; runAt: number }>(
        `select key, (extract(epoch from run_at) * 1000)::float8 as "runAt" from jobs where kind = $1 and state = 'pending'`,
        [THRIVECART_RECONCILE_JOB],
      )
    ).rows;
  const transactionPagesAsked = () => fake.requests.filter((request) => request.startsWith('GET /transactions')).length;

  beforeAll(async () => {
    fake = await startThriveCartApiFake({ apiKey: API_KEY, account: TEST_ACCOUNT });
    const yaml = withThriveCartApi(testConfigYaml(), fake, API_KEY);
    handoff = await startTestHandoff({ config: parseConfig(yaml, 'test.yaml', {}) });
  });
  afterAll(async () => {
    await handoff.close();
    await fake.close().catch(() => undefined);
  });

  it('runs daily by default, keeps to the last 30 days, and shows what it found as a problem with its fix', async () => {
    const purchasedAt = handoff.clock.now();
    await handoff.send('purchase', { email: 'late@example.com', item: 'product-12', orderId: '5001' });
    handoff.clock.advanceDays(3);
    const row = (event: string, type: string, at: number, extra: Partial<ApiTransaction> = {}): ApiTransaction => ({
      event_id: event,
      timestamp: Math.floor(at / 1000),
      transaction_type: type,
      item_type: 'product',
      item_id: 12,
      amount: 4700,
      order_id: 5001,
      currency: 'USD',
      customer: { name: 'Lee Late', email: 'late@example.com' },
      subscription_current_status: null,
      ...extra,
    });
    // A refund made in Stripe: ThriveCart lists it, no webhook came. Then 250 rows of long ago (three pages in all).
    fake.transactions.push(
      row('refund-5001', 'refund', handoff.clock.now() - DAY_MS),
      row('charge-5001', 'charge', purchasedAt),
    );
    for (let index = 0; index < 250; index += 1)
      fake.transactions.push(
        row(`old-${index}`, 'charge', purchasedAt - (100 + index) * DAY_MS, {
          order_id: 6000 + index,
          customer: { name: 'Old Buyer', email: `old${index}@example.com` },
        }),
      );

    await scheduleThriveCartReconcile(handoff.runtime.ctx);
    expect(await jobs()).toEqual([{ key: 'scheduled', runAt: handoff.clock.now() }]);
    await handoff.runJobs();

    // Page 2 is all before the 30 days: no third page is asked for.
    expect(transactionPagesAsked()).toBe(2);
    const problems = await handoff.api<ReconcileBody>('/api/problems');
    expect(problems.body.reconcile).toMatchObject({
      findings: [{ email: 'late@example.com', kind: 'refund', orderId: '5001' }],
      error: null,
      fix: expect.stringContaining('handoff thrivecart reconcile --fix'),
    });
    expect((await handoff.api('/api/access?email=late@example.com&offering=focus-course')).body).toMatchObject({
      granted: true,
    });
    expect(await jobs()).toEqual([{ key: 'scheduled', runAt: handoff.clock.now() + DAY_MS }]);
  });

  it('keeps its schedule across a restart and runs again a day later', async () => {
    const due = (await jobs())[0]!.runAt;
    await handoff.restart();
    await scheduleThriveCartReconcile(handoff.runtime.ctx);
    expect(await jobs()).toEqual([{ key: 'scheduled', runAt: due }]);

    const asked = transactionPagesAsked();
    handoff.clock.advanceDays(1);
    await handoff.runJobs();
    expect(transactionPagesAsked()).toBe(asked + 2);
    const runs = await handoff.runtime.ctx.pool.query(
      `select id from thrivecart_reconciles where finished_at is not null`,
    );
    expect(runs.rowCount).toBe(2);
  });

  it("the console's Problems page shows the finding; its button (CSRF-checked) applies what ThriveCart says", async () => {
    const cookie = await consoleCookie(handoff, 'amy');
    const page = (await handoff.server.inject({ method: 'GET', url: '/problems', headers: { cookie } })).body;
    expect(page).toContain('What ThriveCart knows that no webhook said');
    expect(page).toContain('late@example.com');
    const csrf = /action="\/problems\/reconcile-fix"[^>]*>\s*<input type="hidden" name="_csrf" value="([^"]+)"/.exec(
      page,
    )?.[1];
    expect(csrf).toBeDefined();
    const press = (token: string) =>
      handoff.server.inject({
        method: 'POST',
        url: '/problems/reconcile-fix',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: `_csrf=${encodeURIComponent(token)}`,
      });
    expect((await press('forged')).statusCode).toBe(403);
    expect((await jobs()).map((job) => job.key)).toEqual(['scheduled']);
    expect((await press(csrf!)).statusCode).toBe(302);
    await handoff.runJobs();
    expect((await handoff.api('/api/access?email=late@example.com&offering=focus-course')).body).toMatchObject({
      granted: false,
    });
    expect((await handoff.api<ReconcileBody>('/api/problems')).body.reconcile).toBeNull();
  });

  it('shows a run that could not reach ThriveCart (its server gone), and tries again within the hour', async () => {
    handoff.clock.advanceDays(1);
    await fake.close();
    await handoff.runJobs();
    const problems = await handoff.api<ReconcileBody>('/api/problems');
    expect(problems.body.reconcile).toMatchObject({ findings: [], error: expect.any(String) });
    expect(await jobs()).toEqual([{ key: 'scheduled', runAt: handoff.clock.now() + 3_600_000 }]);
  });
});

describe('thrivecart.reconcile.every', () => {
  const configWith = (lines: string) =>
    parseConfig(testConfigYaml().replace('testMode: ignore', `testMode: ignore${lines}`), 'test.yaml', {});

  it('is daily when an API key is set, any period or off as configured, and never without a key', () => {
    expect(reconcilePeriod({ config: configWith('\n  apiKey: k') })).toBe(DAY_MS);
    expect(reconcilePeriod({ config: configWith('\n  apiKey: k\n  reconcile: { every: 6h }') })).toBe(6 * 3_600_000);
    expect(reconcilePeriod({ config: configWith('\n  apiKey: k\n  reconcile: { every: off }') })).toBeNull();
    expect(reconcilePeriod({ config: configWith('') })).toBeNull();
    expect(() => configWith('\n  reconcile: { every: 15m }')).toThrow(/expected a period such as 12h or 1d, or off/);
  });
});
