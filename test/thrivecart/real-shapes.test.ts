/**
 * Real delivery shapes through the HTTP intake: the older order.success (charges without
 * item_type, the next period listed as a `type=recurring` charge), renewals of orders Handoff
 * never saw, unusable deliveries and unmapped items shown as problems.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { insertDelivery } from '../../src/adapters/store/deliveries.ts';
import { thrivecartDedupKey } from '../../src/adapters/sources/thrivecart/dedup-key.ts';
import { redactSecret } from '../../src/adapters/sources/thrivecart/redact.ts';
import { replayLedger } from '../../src/app/ledger/replay-ledger.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { testConfigYaml } from '../support/test-config.ts';
import { FIXTURE_ACCOUNT, FIXTURE_SECRET, fixture, fixtureText } from './fixtures.ts';

const FIXTURE_CREDENTIALS = { account: FIXTURE_ACCOUNT, secret: FIXTURE_SECRET };

interface ProblemsBody {
  rejectedDeliveries: { deliveryId: number; eventName: string; reason: string }[];
  unmappedItems: { item: string; name: string; orders: number; latestOrderId: string; configLine: string }[];
}

interface LedgerLine {
  item: string;
  name: string;
  lastChargeCents: number;
}

async function ledgerOf(
  handoff: TestHandoff,
  email: string,
): Promise<{ lines: Record<string, LedgerLine>; subscriptions: Record<string, unknown> }> {
  const result = await handoff.runtime.ctx.pool.query<{
    state: { lines: Record<string, LedgerLine>; subscriptions: Record<string, unknown> };
  }>(`select ledger->'state' as state from contacts where email = $1`, [email]);
  return result.rows[0]!.state;
}

describe('real ThriveCart delivery shapes', () => {
  let handoff: TestHandoff;
  beforeAll(async () => {
    // The account as a creator pastes it; the fixtures were captured from "demoacademy".
    const yaml = testConfigYaml(`"${FIXTURE_SECRET}"`).replace(
      'account: focusschool',
      'account: https://demoacademy.thrivecart.com/',
    );
    handoff = await startTestHandoff({ config: parseConfig(yaml, 'test.yaml', {}) });
  });
  afterAll(() => handoff.close());

  const postForm = (payload: string) =>
    handoff.server.inject({
      method: 'POST',
      url: '/webhooks/thrivecart',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload,
    });

  it('applies an older order.success whose charges name no item_type, counting the recurring line as the next period', async () => {
    const response = await postForm(fixtureText('order-success-legacy.form.txt'));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'applied' });

    const contact = await handoff.api<{ access: { offering: string; granted: boolean }[] }>(
      '/api/contacts/ana.lopez@example.com',
    );
    expect(contact.body.access).toEqual([
      expect.objectContaining({ offering: 'focus-course', granted: true }),
      expect.objectContaining({ offering: 'focus-workbook', granted: true }),
    ]);
    const ledger = await ledgerOf(handoff, 'ana.lopez@example.com');
    // 2700 charged now for the product (the 2700 `type=recurring` line is next month's), 700 for the bump.
    expect(ledger.lines['4418230:product-12']).toMatchObject({
      name: 'Mindful Mornings & Journal',
      lastChargeCents: 2700,
    });
    expect(ledger.lines['4418230:bump-12']).toMatchObject({ name: 'Printable Habit Tracker', lastChargeCents: 700 });
    expect(Object.keys(ledger.subscriptions)).toEqual(['4418230:product-12']);
  });

  it('keeps quantity, frequency and the accessible items of a purchase', async () => {
    const stored = await handoff.runtime.ctx.pool.query<{
      event: { items: { item: string; quantity: number; frequency: string | null }[] };
    }>(`select event from deliveries where event->>'orderId' = '4418230'`);
    expect(stored.rows[0]!.event.items).toEqual([
      expect.objectContaining({ item: 'product-12', quantity: 1, frequency: 'month' }),
      expect.objectContaining({ item: 'bump-12', quantity: 2, frequency: null }),
    ]);
  });

  it('names the item of a renewal for an order it never saw from subscription[name], not its key', async () => {
    const fields = fixture('order-subscription-payment.form.txt');
    const renewal = await handoff.send('renewal', {
      ...FIXTURE_CREDENTIALS,
      email: 'lee@example.com',
      item: 'product-40',
      orderId: '4500001',
      paymentIndex: 3,
    });
    expect(renewal.body).toMatchObject({ status: 'applied' });
    const ledger = await ledgerOf(handoff, 'lee@example.com');
    expect(ledger.lines['4500001:product-40']?.name).toBe('Course 40 & Community');
    // The captured 2020 renewal carries the same block.
    expect(fields.subscription).toMatchObject({ name: '$69/Month EngageMore' });
  });

  it('shows an unusable delivery as a problem with what was missing', async () => {
    const body = fixtureText('order-success-legacy.form.txt')
      .replace('customer%5Bemail%5D=ana.lopez%40example.com', 'customer%5Bemail%5D=')
      .replace('order_id=4418230', 'order_id=4418299');
    const response = await postForm(body);
    expect(response.statusCode).toBe(422);
    const problems = await handoff.api<ProblemsBody>('/api/problems');
    expect(problems.body.rejectedDeliveries).toEqual([
      expect.objectContaining({ eventName: 'order.success', reason: 'missing customer[email]' }),
    ]);
  });

  it('applies with `handoff replay` a delivery an earlier version rejected, and the problem goes away', async () => {
    const fields = fixture('order-success-legacy.form.txt');
    Object.assign(fields, { order_id: '4418301' });
    Object.assign(fields.customer as object, { email: 'early@example.com' });
    const deliveryId = await insertDelivery(handoff.runtime.ctx.pool, {
      source: 'thrivecart',
      dedupKey: thrivecartDedupKey(fields),
      receivedAt: handoff.clock.now(),
      eventName: 'order.success',
      occurredAt: null,
      live: true,
      body: redactSecret(fields),
      event: null,
      status: 'rejected',
      reason: 'missing order[charges][0][item_type]',
    });
    const before = await handoff.api<ProblemsBody>('/api/problems');
    expect(before.body.rejectedDeliveries.map((delivery) => delivery.deliveryId)).toContain(deliveryId);

    const report = await replayLedger(handoff.runtime.ctx, { dryRun: false });
    expect(report.reclassified).toContainEqual(
      expect.objectContaining({ deliveryId, from: 'rejected', to: 'applied' }),
    );
    const after = await handoff.api<ProblemsBody>('/api/problems');
    expect(after.body.rejectedDeliveries.map((delivery) => delivery.deliveryId)).not.toContain(deliveryId);
    expect((await handoff.api('/api/access?email=early@example.com&offering=focus-course')).body).toMatchObject({
      granted: true,
    });
  });

  it('shows an item sold in an applied order that the configuration does not map, with the line to add', async () => {
    const sent = await handoff.send('purchase', {
      ...FIXTURE_CREDENTIALS,
      email: 'bumpy@example.com',
      item: 'product-12',
      extraItems: ['upsell-9'],
      orderId: '4600001',
    });
    expect(sent.body).toMatchObject({ status: 'applied' });
    const problems = await handoff.api<ProblemsBody>('/api/problems');
    expect(problems.body.unmappedItems).toEqual([
      {
        item: 'upsell-9',
        name: 'Coaching Calls 9',
        orders: 1,
        latestOrderId: '4600001',
        configLine: '- { item: upsell-9, grants: [focus-course] }   # Coaching Calls 9',
      },
    ]);
  });
});

describe('thrivecart.account', () => {
  it.each([
    'yourschool',
    'yourschool.thrivecart.com',
    'https://yourschool.thrivecart.com/',
    ' HTTP://yourschool.thrivecart.com ',
  ])('accepts %j and keeps the bare name', (pasted) => {
    const config = parseConfig(
      testConfigYaml().replace('account: focusschool', `account: "${pasted}"`),
      'test.yaml',
      {},
    );
    expect(config.thrivecart.account).toBe('yourschool');
  });

  it('refuses what is not an account name, saying what is expected', () => {
    expect(() =>
      parseConfig(testConfigYaml().replace('account: focusschool', 'account: "your school"'), 'test.yaml', {}),
    ).toThrow(/ThriveCart account name/);
  });
});
