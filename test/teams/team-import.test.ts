/**
 * Teams bought before Handoff: a team item in the imported ThriveCart history (API or CSV) opens
 * its pool with the right seats and its buyer as leader, and later live deliveries for the same
 * order line up with that pool instead of opening a second one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildThriveCartFields, encodeForm } from '../../src/adapters/sources/thrivecart/build-body.ts';
import type { Fields } from '../../src/adapters/sources/thrivecart/parse-body.ts';
import type { ApiTransaction } from '../../src/adapters/sources/thrivecart/api-client.ts';
import { importFromCsv, importFromThriveCart } from '../../src/app/thrivecart/import-history.ts';
import { addMember } from '../../src/app/teams/teams.ts';
import { listTeams } from '../../src/app/teams/team-views.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { thrivecartApiFor } from '../../src/main.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { TEST_ACCOUNT, TEST_SECRET } from '../support/test-config.ts';
import { startThriveCartApiFake, type ThriveCartApiFake } from '../support/thrivecart-api-fake.ts';
import { accessOf, teamConfigYaml } from './teams-harness.ts';
import { DAY_MS } from '../../src/core/time.ts';

const API_KEY = 'tc-api-key-for-tests';
const ADMIN = { kind: 'admin', name: 'Jo' } as const;

describe('team plans in imported history', () => {
  let handoff: TestHandoff;
  let fake: ThriveCartApiFake | undefined;
  afterEach(async () => {
    await handoff.close();
    await fake?.close();
  });

  async function start(): Promise<void> {
    fake = await startThriveCartApiFake({ apiKey: API_KEY, account: TEST_ACCOUNT });
    const yaml = teamConfigYaml().replace(
      `  secret: "${TEST_SECRET}"`,
      `  secret: "${TEST_SECRET}"\n  apiKey: ${API_KEY}\n  apiUrl: ${fake.url}`,
    );
    handoff = await startTestHandoff({ config: parseConfig(yaml, 'team-import.yaml', {}) });
  }

  /** One row of `GET /transactions` by Ada for order 9901. */
  function adaRow(type: string, item: string, atMs: number, amount: number): ApiTransaction {
    const [itemType, itemId] = item.split('-');
    return {
      event_id: `9901-${item}-${type}-${atMs}`,
      timestamp: Math.floor(atMs / 1000),
      transaction_type: type,
      item_type: itemType,
      item_id: itemId,
      amount,
      order_id: 9901,
      invoice_id: '0009901',
      currency: 'USD',
      customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
      subscription_current_status: item === 'product-50' ? 'active' : null,
    };
  }

  it('the API import opens the pool with the seats of the team line and its bump, led by the buyer; live deliveries line up', async () => {
    await start();
    const now = handoff.clock.now();
    const boughtAt = now - 40 * DAY_MS;
    const rebilledAt = now - 10 * DAY_MS;
    // Newest first, as ThriveCart lists them.
    fake!.transactions.push(
      adaRow('rebill', 'product-50', rebilledAt, 9900),
      adaRow('charge', 'bump-50', boughtAt, 4900),
      adaRow('charge', 'product-50', boughtAt, 9900),
    );
    fake!.customers.set('ada@example.com', {
      subscriptions: [
        {
          status: 'active',
          order_id: 9901,
          subscription_id: 'sub_9901',
          item_type: 'product',
          item_id: 50,
          item_name: 'Team Plan',
          frequency: 'month',
          next_payment: Math.floor((now + 20 * DAY_MS) / 1000),
        },
      ],
    });
    const api = thrivecartApiFor(handoff.runtime.ctx, async (ms) => handoff.clock.advance(ms))!;
    const plan = await importFromThriveCart(handoff.runtime.ctx, api, { apply: true });
    expect(plan.notImported).toEqual([]);

    const teams = await listTeams(handoff.runtime.ctx, {});
    expect(teams).toEqual([
      expect.objectContaining({
        orderId: '9901',
        item: 'product-50',
        seats: 5,
        payer: expect.objectContaining({ email: 'ada@example.com' }),
        leader: expect.objectContaining({ email: 'ada@example.com' }),
        entitlement: expect.objectContaining({ active: true }),
      }),
    ]);
    const team = teams[0]!;
    await addMember(handoff.runtime.ctx, team.id, 'bob@example.com', ADMIN);
    expect(await accessOf(handoff, 'bob@example.com')).toMatchObject({ granted: true });

    // The live webhooks of the same order: the next rebill, and ThriveCart resending the order itself.
    handoff.clock.advanceDays(20);
    const renewal = await handoff.send('renewal', {
      email: 'ada@example.com',
      item: 'product-50',
      orderId: '9901',
      amountCents: 9900,
      paymentIndex: 2,
      nextPaymentAt: new Date(handoff.clock.now() + 30 * DAY_MS),
    });
    expect(renewal.body).toMatchObject({ status: 'applied' });
    // ThriveCart's /transactions says no quantity: the import counted one unit. The order's own
    // delivery says 3, and the same pool takes its seats from it.
    const fields = buildThriveCartFields('purchase', {
      account: TEST_ACCOUNT,
      secret: TEST_SECRET,
      email: 'ada@example.com',
      firstName: 'Ada',
      lastName: 'Lovelace',
      item: 'product-50',
      extraItems: ['bump-50'],
      orderId: '9901',
      recurring: true,
      occurredAt: new Date(boughtAt),
    });
    (((fields.order as Fields).charges as Fields)['0'] as Fields).quantity = '3';
    const resent = await handoff.server.inject({
      method: 'POST',
      url: '/webhooks/thrivecart',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: encodeForm(fields),
    });
    expect(resent.json()).toMatchObject({ status: 'applied' });

    const after = await listTeams(handoff.runtime.ctx, {});
    expect(
      after.map((pool) => ({ id: pool.id, seats: pool.seats, members: pool.members.map((m) => m.email) })),
    ).toEqual([{ id: team.id, seats: 2 * 3 + 3, members: ['bob@example.com'] }]);
    expect(await accessOf(handoff, 'bob@example.com')).toMatchObject({ granted: true });
    // An import is quiet: the leader is not e-mailed a link they did not ask for (the admin gives it).
    const mail = await handoff.runtime.ctx.pool.query(`select kind from jobs where kind like 'team.%'`);
    expect(mail.rows).toEqual([{ kind: 'team.member-email' }]);
  });

  it('a CSV row naming a team item opens its pool; the same order bought live later is the same pool', async () => {
    await start();
    const paidThrough = new Date(handoff.clock.now() + 12 * DAY_MS).toISOString().slice(0, 10);
    const csv = `email,name,item,order_id,status,paid_through
ada@example.com,Ada Lovelace,product-50,9902,active,${paidThrough}
ada@example.com,Ada Lovelace,bump-50,9902,paid,
`;
    const plan = await importFromCsv(handoff.runtime.ctx, csv, { apply: true });
    expect(plan.notImported).toEqual([]);
    const [team, ...others] = await listTeams(handoff.runtime.ctx, {});
    expect(others).toEqual([]);
    expect(team).toMatchObject({
      orderId: '9902',
      item: 'product-50',
      seats: 5,
      leader: expect.objectContaining({ email: 'ada@example.com' }),
      entitlement: expect.objectContaining({ active: true }),
    });
    await addMember(handoff.runtime.ctx, team!.id, 'cy@example.com', ADMIN);
    const ada = await accessOf(handoff, 'ada@example.com');
    expect(ada).toMatchObject({ granted: true });
    expect(await accessOf(handoff, 'cy@example.com')).toMatchObject({ granted: true, until: ada.until });

    const renewal = await handoff.send('renewal', {
      email: 'ada@example.com',
      item: 'product-50',
      orderId: '9902',
      amountCents: 9900,
      occurredAt: new Date(Date.parse(paidThrough) - DAY_MS),
      paymentIndex: 2,
      nextPaymentAt: new Date(Date.parse(paidThrough) + 30 * DAY_MS),
    });
    expect(renewal.body).toMatchObject({ status: 'applied' });
    const after = await listTeams(handoff.runtime.ctx, {});
    expect(after.map((pool) => ({ id: pool.id, seats: pool.seats }))).toEqual([{ id: team!.id, seats: 5 }]);
    expect(await accessOf(handoff, 'cy@example.com')).toMatchObject({ granted: true });
  });
});
