/**
 * Migration 015 marks the ledgers folded before it (`unmappedItems`, `nextPaymentExpectedAt`), so
 * the Problems page, which reads only marked ledgers, sees them without waiting for their next
 * fold. The ledgers are built as Handoff stored them before 015 (today's fold without the marks),
 * in a database migrated up to 014, and then 015 runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../src/adapters/store/database.ts';
import { listItemsSoldOutside, listSilentSubscriptions } from '../../src/adapters/store/delivery-problems.ts';
import { knownMigrations, migrate } from '../../src/adapters/store/migrate.ts';
import type { CommerceEvent, ItemKey } from '../../src/core/events.ts';
import { foldLedger, type LedgerProjection } from '../../src/core/ledger/fold.ts';
import { ledgerRules } from '../../src/core/ledger/rules.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { testConfig } from '../support/test-config.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00Z');
const BACKFILL = '015_problems_indexed.sql';
const rules = ledgerRules(testConfig());

/** One order of `items` by `email`, `daysAgo`; a subscription's next payment `nextInDays` after it. */
function purchase(email: string, daysAgo: number, items: { item: ItemKey; nextInDays?: number }[]): CommerceEvent {
  const occurredAt = NOW - daysAgo * DAY;
  return {
    kind: 'purchase',
    occurredAt,
    live: true,
    customer: { thrivecartId: null, email, firstName: null, lastName: null },
    orderId: `order-${email}`,
    invoiceId: null,
    currency: 'USD',
    items: items.map(({ item, nextInDays }) => ({
      item,
      name: `Name of ${item}`,
      amountCents: 4700,
      pricingOptionId: null,
      recurring: nextInDays !== undefined,
      thrivecartSubscriptionId: nextInDays === undefined ? null : `sub-${email}`,
      nextChargeAt: nextInDays === undefined ? null : occurredAt + nextInDays * DAY,
    })),
  };
}

/** The ledger as a fold before migration 015 stored it: today's projection without the marks. */
function foldedBefore015(event: CommerceEvent): Omit<LedgerProjection, 'unmappedItems' | 'nextPaymentExpectedAt'> {
  const { projection } = foldLedger([{ deliveryId: 1, event }], rules, NOW);
  const { unmappedItems: _unmapped, nextPaymentExpectedAt: _expected, ...before } = projection;
  return before;
}

describe('migration 015 on ledgers folded before it', () => {
  let database: TestDatabase;
  let pool: Pool;
  const ledgerOf = async (email: string) =>
    (await pool.query<{ ledger: LedgerProjection }>(`select ledger from contacts where email = $1`, [email])).rows[0]!
      .ledger;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.connectionString);
    const before = knownMigrations().filter((name) => name < BACKFILL);
    expect(await migrate(pool, new Set(before))).toEqual(before);
    const ledgers = {
      // A course and a bump the configuration forgot (bump-99).
      'bump@example.com': foldedBefore015(
        purchase('bump@example.com', 10, [{ item: 'product-12' }, { item: 'bump-99' as ItemKey }]),
      ),
      // A monthly membership whose payment was due 20 days ago: ThriveCart said nothing since.
      'silent@example.com': foldedBefore015(
        purchase('silent@example.com', 50, [{ item: 'product-40', nextInDays: 30 }]),
      ),
      // A monthly membership paid 10 days ago: its next payment is still to come.
      'paying@example.com': foldedBefore015(
        purchase('paying@example.com', 10, [{ item: 'product-40', nextInDays: 30 }]),
      ),
      // A course alone: nothing to show.
      'course@example.com': foldedBefore015(purchase('course@example.com', 10, [{ item: 'product-12' }])),
    };
    for (const [email, ledger] of Object.entries(ledgers))
      await pool.query(
        `insert into contacts (email, ledger, created_at, updated_at) values ($1, $2, to_timestamp($3 / 1000.0), to_timestamp($3 / 1000.0))`,
        [email, JSON.stringify(ledger), NOW],
      );
    // A contact written before their first fold.
    await pool.query(
      `insert into contacts (email, created_at, updated_at) values ('unfolded@example.com', now(), now())`,
    );
    expect(await migrate(pool, new Set([BACKFILL]))).toEqual([BACKFILL]);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('shows the item the configuration forgot on the Problems page', async () => {
    expect(await listItemsSoldOutside(pool, [...rules.items.keys()])).toEqual([
      { item: 'bump-99', name: 'Name of bump-99', orders: 1, latestOrderId: 'order-bump@example.com' },
    ]);
  });

  it('shows the subscription whose payment passed with no word, and not the one still paying', async () => {
    const silent = await listSilentSubscriptions(pool, NOW - rules.silentAfterMs);
    expect(silent).toEqual([
      {
        email: 'silent@example.com',
        orderId: 'order-silent@example.com',
        item: 'product-40',
        name: 'Name of product-40',
        dueAt: NOW - 20 * DAY,
      },
    ]);
    // The mark is the one today's fold would set, so the next fold changes nothing.
    expect((await ledgerOf('paying@example.com')).nextPaymentExpectedAt).toBe(NOW + 20 * DAY);
  });

  it('leaves the other ledgers unmarked', async () => {
    const course = await ledgerOf('course@example.com');
    expect(course).not.toHaveProperty('unmappedItems');
    expect(course).not.toHaveProperty('nextPaymentExpectedAt');
    expect(await ledgerOf('unfolded@example.com')).toEqual({});
    expect((await ledgerOf('silent@example.com')).unmappedItems).toBeUndefined();
  });
});
