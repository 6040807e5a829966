/**
 * `handoff thrivecart import` against a local fake of ThriveCart's API (test/support/thrivecart-api-fake.ts):
 * paging without a total, 429s with and without Retry-After, plan then apply, resume, idempotence,
 * quiet, and live webhooks lining up with imported history. And the CSV import.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { importFromCsv, importFromThriveCart } from '../../src/app/thrivecart/import-history.ts';
import { queueImport } from '../../src/app/thrivecart/import-job.ts';
import { WHOLE_HISTORY } from '../../src/app/thrivecart/history-window.ts';
import { openImportOf } from '../../src/adapters/store/thrivecart-imports.ts';
import type { ApiTransaction } from '../../src/adapters/sources/thrivecart/api-client.ts';
import { thrivecartApiFor } from '../../src/main.ts';
import { reconcileWithThriveCart } from '../../src/app/thrivecart/reconcile-thrivecart.ts';
import { consoleCookie } from '../support/console-session.ts';
import { everythingStored } from '../support/everything-stored.ts';
import { eraseContact } from '../../src/app/contacts/contact-data-rights.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { TEST_ACCOUNT, testConfigYaml } from '../support/test-config.ts';
import { startThriveCartApiFake, withThriveCartApi, type ThriveCartApiFake } from '../support/thrivecart-api-fake.ts';

const DAY = 86_400;
const API_KEY = 'tc-api-key-for-tests';

describe('importing ThriveCart history from its API', () => {
  let handoff: TestHandoff;
  let fake: ThriveCartApiFake;
  let nowSeconds: number;
  const api = () => thrivecartApiFor(handoff.runtime.ctx, async (ms) => handoff.clock.advance(ms))!;
  const count = async (sql: string) => (await handoff.runtime.ctx.pool.query<{ n: number }>(sql)).rows[0]!.n;

  beforeAll(async () => {
    fake = await startThriveCartApiFake({ apiKey: API_KEY, account: TEST_ACCOUNT });
    const yaml = withThriveCartApi(testConfigYaml(), fake, API_KEY);
    handoff = await startTestHandoff({ config: parseConfig(yaml, 'test.yaml', {}) });
    nowSeconds = Math.floor(handoff.clock.now() / 1000);
    const row = (
      order: number,
      email: string,
      type: string,
      item: string,
      daysAgo: number,
      amount: number,
      extra: Partial<ApiTransaction> = {},
    ): ApiTransaction => {
      const [itemType, itemId] = item.split('-');
      return {
        event_id: `${order}-${type}-${daysAgo}`,
        timestamp: nowSeconds - daysAgo * DAY,
        transaction_type: type,
        item_type: itemType,
        item_id: itemId,
        amount,
        order_id: order,
        invoice_id: `000${order}`,
        currency: 'USD',
        customer: { name: 'Pat Doe', email },
        ...extra,
      };
    };
    const oneOff = { subscription_current_status: null };
    const rows: ApiTransaction[] = [];
    for (let index = 0; index < 205; index += 1)
      rows.push(row(1000 + index, `buyer${index}@example.com`, 'charge', 'product-12', 300 + index, 4700, oneOff));
    rows.push(
      row(900, 'sub@example.com', 'charge', 'product-40', 40, 2900),
      row(900, 'sub@example.com', 'rebill', 'product-40', 10, 2900),
    );
    rows.push(
      row(901, 'gone@example.com', 'charge', 'product-40', 100, 2900),
      row(901, 'gone@example.com', 'cancel', 'product-40', 60, 0),
    );
    rows.push(
      row(902, 'refunded@example.com', 'charge', 'product-12', 50, 4700, oneOff),
      row(902, 'refunded@example.com', 'refund', 'product-12', 45, 4700, oneOff),
    );
    rows.push(row(903, 'stranger@example.com', 'charge', 'upsell-77', 20, 9900, oneOff));
    rows.push(row(904, 'unsure@example.com', 'rebill', 'product-40', 5, 2900));
    // Newest first, as ThriveCart lists them.
    fake.transactions.push(...rows.sort((a, b) => Number(b.timestamp) - Number(a.timestamp)));
    fake.customers.set('sub@example.com', {
      subscriptions: [
        {
          status: 'active',
          order_id: 900,
          item_type: 'product',
          item_id: 40,
          item_name: 'Community Monthly',
          frequency: 'month',
          next_payment: nowSeconds + 20 * DAY,
        },
      ],
    });
    fake.customers.set('gone@example.com', {
      subscriptions: [
        {
          status: 'cancelled',
          order_id: 901,
          item_type: 'product',
          item_id: 40,
          item_name: 'Community Monthly',
          frequency: 'month',
          last_payment: nowSeconds - 70 * DAY,
        },
      ],
    });
  });
  afterAll(async () => {
    await handoff.close();
    await fake.close();
  });

  it('plans without changing anything: walks every page (no total), asks about subscribers, survives 429s', async () => {
    fake.throttleNext(1, 2);
    const progress: string[] = [];
    const plan = await importFromThriveCart(handoff.runtime.ctx, api(), {
      apply: false,
      progress: (step) => progress.push(`${step.phase} ${step.done}`),
    });
    fake.throttleNext(1);
    expect(plan).toMatchObject({
      applied: false,
      people: 208,
      offeringsGranted: { 'focus-course': 205, community: 1 },
      offeringsRevoked: { 'focus-course': 1, community: 1 },
    });
    expect(plan.unknownItems).toEqual([{ item: 'upsell-77', name: 'upsell-77', people: 1 }]);
    expect(plan.notImported).toEqual([
      expect.objectContaining({
        email: 'unsure@example.com',
        item: 'product-40',
        reason: expect.stringMatching(/unknown/),
      }),
    ]);
    const pages = fake.requests.filter((request) => request.startsWith('GET /transactions'));
    // The 429 was asked again; pages 1–3 (100, 100, 13 rows): the short page ends the walk whatever meta.total says.
    expect(pages.map((request) => new URL(request.split(' ')[1]!, 'http://x').searchParams.get('page'))).toEqual([
      '1',
      '1',
      '2',
      '3',
    ]);
    expect(fake.requests.filter((request) => request === 'POST /customer')).toHaveLength(3);
    expect(progress).toContain('transactions 3');
    expect(await count('select count(*)::int as n from contacts')).toBe(0);
    expect(
      await count(
        `select count(*)::int as n from crm_rate_budgets where budget_key = 'thrivecart-api:${TEST_ACCOUNT}'`,
      ),
    ).toBe(1);
  });

  it('the console Import page shows the plan and how far the fetch got', async () => {
    const cookie = await consoleCookie(handoff);
    const importPage = (await handoff.server.inject({ method: 'GET', url: '/import', headers: { cookie } })).body;
    expect(importPage).toContain('Not applied yet');
    expect(importPage).toMatch(/Fetched 213 transactions \(3 pages, all\) and asked about 3 buyers/);
    expect(importPage).toMatch(/<th>People<\/th><td>208 /);
    expect(importPage).toContain('upsell-77');
    expect(importPage).toContain('unsure@example.com');
  });

  it('resumes from what it fetched: planning again asks the API nothing', async () => {
    const before = fake.requests.length;
    const plan = await importFromThriveCart(handoff.runtime.ctx, api(), { apply: false });
    expect(plan.people).toBe(208);
    expect(fake.requests.length).toBe(before);
  });

  it('applies quietly: access as ThriveCart says, a cancelled subscription revoked, no dunning, no e-mail', async () => {
    const plan = await importFromThriveCart(handoff.runtime.ctx, api(), { apply: true });
    expect(plan).toMatchObject({ applied: true, people: 208 });
    expect((await handoff.api('/api/access?email=buyer7@example.com&offering=focus-course')).body).toMatchObject({
      granted: true,
    });
    expect((await handoff.api('/api/access?email=sub@example.com&offering=community')).body).toMatchObject({
      granted: true,
    });
    expect((await handoff.api('/api/access?email=gone@example.com&offering=community')).body).toMatchObject({
      granted: false,
    });
    expect((await handoff.api('/api/access?email=refunded@example.com&offering=focus-course')).body).toMatchObject({
      granted: false,
    });
    expect((await handoff.api('/api/contacts/unsure@example.com')).status).toBe(404);
    expect(await count(`select count(*)::int as n from deliveries where source = 'thrivecart-api'`)).toBeGreaterThan(
      208,
    );
    expect(await count(`select count(*)::int as n from jobs where kind like 'dunning%'`)).toBe(0);
    expect(await count(`select count(*)::int as n from webhook_messages`)).toBe(0);
  });

  it('runs again without changing anything twice', async () => {
    const deliveries = await count('select count(*)::int as n from deliveries');
    const plan = await importFromThriveCart(handoff.runtime.ctx, api(), { apply: true });
    expect(plan.events).toBe(0);
    expect(plan.alreadyKnown).toBeGreaterThan(208);
    expect(await count('select count(*)::int as n from deliveries')).toBe(deliveries);
  });

  it('a live webhook for an imported rebill lines up with it: one payment, not two', async () => {
    const rebillAt = new Date((nowSeconds - 10 * DAY) * 1000);
    const sent = await handoff.send('renewal', {
      email: 'sub@example.com',
      item: 'product-40',
      orderId: '900',
      amountCents: 2900,
      occurredAt: rebillAt,
      paymentIndex: 1,
    });
    expect(sent.body).toMatchObject({ status: 'applied' });
    const state = await handoff.runtime.ctx.pool.query<{ payments: number }>(
      `select (ledger->'state'->'subscriptions'->'900:product-40'->>'payments')::int as payments from contacts where email = 'sub@example.com'`,
    );
    expect(state.rows[0]!.payments).toBe(1);
  });

  it('reconcile reports what ThriveCart knows and no webhook said, --fix applies it with its source, and then nothing is missing', async () => {
    // A refund made in Stripe (no webhook) and a rebill whose webhook was lost.
    fake.transactions.unshift(
      {
        event_id: 'r-1',
        timestamp: nowSeconds - 2 * DAY,
        transaction_type: 'refund',
        item_type: 'product',
        item_id: 12,
        amount: 4700,
        order_id: 1003,
        currency: 'USD',
        customer: { name: 'Pat Doe', email: 'buyer3@example.com' },
        subscription_current_status: null,
      },
      {
        event_id: 'rb-2',
        timestamp: nowSeconds - 1 * DAY,
        transaction_type: 'rebill',
        item_type: 'product',
        item_id: 40,
        amount: 2900,
        order_id: 900,
        currency: 'USD',
        customer: { name: 'Pat Doe', email: 'sub@example.com' },
      },
    );
    const report = await reconcileWithThriveCart(handoff.runtime.ctx, api(), { fix: false });
    expect(report.findings.map((finding) => `${finding.email} ${finding.kind} ${finding.orderId}`).sort()).toEqual([
      'buyer3@example.com refund 1003',
      'sub@example.com renewal 900',
    ]);
    expect((await handoff.api('/api/access?email=buyer3@example.com&offering=focus-course')).body).toMatchObject({
      granted: true,
    });

    await reconcileWithThriveCart(handoff.runtime.ctx, api(), { fix: true });
    expect((await handoff.api('/api/access?email=buyer3@example.com&offering=focus-course')).body).toMatchObject({
      granted: false,
    });
    expect(
      await count(
        `select count(*)::int as n from deliveries where source = 'thrivecart-api' and event_name = 'import.refund' and event->>'orderId' = '1003'`,
      ),
    ).toBe(1);
    expect((await reconcileWithThriveCart(handoff.runtime.ctx, api(), { fix: false })).findings).toEqual([]);
  });
});

describe('importing a CSV', () => {
  let handoff: TestHandoff;
  beforeAll(async () => {
    handoff = await startTestHandoff();
  });
  afterAll(() => handoff.close());

  const csv = (paidThrough: string) => `email,name,item,order_id,status,paid_through
kim@example.com,Kim Lee,product-12,A-1,paid,
"max@example.com","Max ""The Member"" Roe",product-40,A-2,cancelled,${paidThrough}
noend@example.com,No End,product-40,A-3,active,
`;

  it('plans, refuses an active subscription without a paid-through date, then applies', async () => {
    const paidThrough = new Date(handoff.clock.now() + 5 * 86_400_000).toISOString().slice(0, 10);
    const plan = await importFromCsv(handoff.runtime.ctx, csv(paidThrough), { apply: false });
    expect(plan).toMatchObject({ people: 2, offeringsGranted: { 'focus-course': 1, community: 1 } });
    expect(plan.notImported).toEqual([
      expect.objectContaining({
        email: 'noend@example.com',
        reason: expect.stringMatching(
          /^line 4, column paid_through: an active subscription needs its paid_through date/,
        ),
      }),
    ]);
    expect((await handoff.api('/api/contacts/kim@example.com')).status).toBe(404);
    const open = await handoff.runtime.ctx.pool.query<{ csv: string }>(
      `select csv from thrivecart_imports where source = 'csv' and applied_at is null`,
    );
    expect(open.rows).toEqual([{ csv: csv(paidThrough) }]);

    await importFromCsv(handoff.runtime.ctx, csv(paidThrough), { apply: true });
    expect((await handoff.api('/api/access?email=kim@example.com&offering=focus-course')).body).toMatchObject({
      granted: true,
    });
    expect((await handoff.api('/api/access?email=max@example.com&offering=community')).body).toMatchObject({
      granted: true,
      until: expect.stringMatching(new RegExp(`^${paidThrough}`)),
    });
    expect((await handoff.api<{ name: string }>('/api/contacts/max@example.com')).body.name).toBe(
      'Max "The Member" Roe',
    );
    // The file, kept while the plan waited, is let go once applied.
    const kept = await handoff.runtime.ctx.pool.query(`select 1 from thrivecart_imports where csv is not null`);
    expect(kept.rowCount).toBe(0);
  });

  it('applied again, changes nothing twice', async () => {
    const paidThrough = new Date(handoff.clock.now() + 5 * 86_400_000).toISOString().slice(0, 10);
    const again = await importFromCsv(handoff.runtime.ctx, csv(paidThrough), { apply: true });
    expect(again).toMatchObject({ people: 2, events: 0, alreadyKnown: 3 });
  });

  it('names the line where a row starts, after blank lines and a name over two lines', async () => {
    const text = `email,name,item,status\n\n"ann@example.com","Ann\nOn Two Lines",product-12,paid\r\n\r\nbob@example.com,Bob,product-12,sold,extra\ncy@example.com,Cy,product-12,sold\n`;
    const plan = await importFromCsv(handoff.runtime.ctx, text, { apply: false });
    expect(plan.notImported.map((skipped) => skipped.reason)).toEqual([
      'line 6: 5 fields where the header has 4 (a comma inside a field needs double quotes around it)',
      'line 7, column status: "sold" is not one of paid, active, cancelled, refunded, paused, completed',
    ]);
  });

  it("the console's apply runs as a job without an API key, and applies only the file whose plan was read", async () => {
    const ctx = handoff.runtime.ctx;
    expect(ctx.config.thrivecart.apiKey).toBeUndefined();
    await importFromCsv(ctx, 'email,item,status\nread@example.com,product-12,paid\n', { apply: false });
    const read = (await openImportOf(ctx.pool, 'csv'))!;
    await importFromCsv(ctx, 'email,item,status\nlater@example.com,product-12,paid\n', { apply: false });
    await queueImport(ctx, { source: 'csv', importId: read.id }, true, WHOLE_HISTORY);
    await handoff.runJobs();
    expect((await handoff.api('/api/contacts/later@example.com')).status).toBe(404);
    expect((await handoff.api('/api/contacts/read@example.com')).status).toBe(404);

    const planned = (await openImportOf(ctx.pool, 'csv'))!;
    await queueImport(ctx, { source: 'csv', importId: planned.id }, true, WHOLE_HISTORY);
    await handoff.runJobs();
    expect((await handoff.api('/api/access?email=later@example.com&offering=focus-course')).body).toMatchObject({
      granted: true,
    });
    expect((await openImportOf(ctx.pool, 'csv')) === null).toBe(true);
  });

  it('an erased person leaves the file and the plan of an import still waiting to be applied', async () => {
    const ctx = handoff.runtime.ctx;
    await importFromCsv(
      ctx,
      'email,item,status\nKIM@example.com,product-12,paid\nkim@example.com,product-12,sold\nzoe@example.com,product-12,paid\n',
      { apply: false },
    );
    expect(await everythingStored(handoff)).toContain('kim@example.com');

    await eraseContact(ctx, 'kim@example.com', 'test');

    expect(await everythingStored(handoff)).not.toContain('kim@example.com');
    const open = (await ctx.pool.query<{ csv: string }>(`select csv from thrivecart_imports where csv is not null`))
      .rows;
    expect(open).toEqual([{ csv: 'email,item,status\nzoe@example.com,product-12,paid\n' }]);
  });

  it('refuses a file it cannot read, saying where, and keeps nothing of it', async () => {
    const imports = async () =>
      (await handoff.runtime.ctx.pool.query<{ n: number }>(`select count(*)::int as n from thrivecart_imports`))
        .rows[0]!.n;
    const before = await imports();
    await expect(
      importFromCsv(handoff.runtime.ctx, 'email,item,status\nann@example.com,product-12,"paid\n', { apply: true }),
    ).rejects.toThrow('line 2: a field opens a double quote (") that is never closed');
    expect(await imports()).toBe(before);
  });
});
