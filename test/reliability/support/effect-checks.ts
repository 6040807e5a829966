/**
 * "Each cause has its effect once": the checks every reliability scenario runs at its end, over
 * the database the scenario used. Each check returns a description of every duplicate it finds
 * (an empty list passes), so a failure names the cause that was applied twice.
 *
 * The crash, duplicate and two-process scenarios all call `expectEachEffectOnce`. To extend them
 * to the CRM and e-mail effects, append a check to `EFFECT_CHECKS` (e.g. "one dunning e-mail per
 * (case, step)", or one CRM tag change per contact and tag read from the fake CRM's request log
 * passed in through `extra`).
 */
import { expect } from 'vitest';
import type { Queryable } from '../../../src/adapters/store/database.ts';

export interface EffectCheck {
  effect: string;
  findDuplicates(db: Queryable): Promise<string[]>;
}

export const EFFECT_CHECKS: EffectCheck[] = [
  {
    effect: 'one stored delivery per dedup key',
    async findDuplicates(db) {
      const result = await db.query<{ dedup_key: string; copies: number }>(
        `select dedup_key, count(*)::int as copies from deliveries group by dedup_key having count(*) > 1`,
      );
      return result.rows.map((row) => `${row.dedup_key} stored ${row.copies} times`);
    },
  },
  {
    effect: 'one applied purchase per order and contact',
    async findDuplicates(db) {
      const result = await db.query<{ contact_id: number; order_id: string; copies: number }>(
        `select contact_id, event->>'orderId' as order_id, count(*)::int as copies from deliveries
          where status = 'applied' and event->>'kind' = 'purchase' group by contact_id, event->>'orderId' having count(*) > 1`,
      );
      return result.rows.map((row) => `order ${row.order_id} applied ${row.copies} times to contact ${row.contact_id}`);
    },
  },
  {
    effect: 'one contact per ThriveCart customer and per email',
    async findDuplicates(db) {
      const result = await db.query<{ identity: string; copies: number }>(
        `select identity, count(*)::int as copies from (
           select 'customer ' || thrivecart_customer_id as identity from contacts where thrivecart_customer_id is not null
           union all select 'email ' || email from contacts) as identities
         group by identity having count(*) > 1`,
      );
      return result.rows.map((row) => `${row.identity} has ${row.copies} contacts`);
    },
  },
  {
    effect: 'at most one pending job per kind and key',
    async findDuplicates(db) {
      const result = await db.query<{ kind: string; key: string; copies: number }>(
        `select kind, key, count(*)::int as copies from jobs where state = 'pending' group by kind, key having count(*) > 1`,
      );
      return result.rows.map((row) => `${row.kind}:${row.key} pending ${row.copies} times`);
    },
  },
];

export async function expectEachEffectOnce(
  db: Queryable,
  checks: readonly EffectCheck[] = EFFECT_CHECKS,
): Promise<void> {
  for (const check of checks) expect(await check.findDuplicates(db), check.effect).toEqual([]);
}

/**
 * Every acknowledged purchase is stored, applied, and visible in its contact's ledger: the
 * "nothing lost" half of exactly once. `orderIds` are the purchases that got a 2xx.
 */
export async function expectPurchasesApplied(db: Queryable, orderIds: readonly string[]): Promise<void> {
  const result = await db.query<{ order_id: string; in_ledger: boolean }>(
    `select d.event->>'orderId' as order_id, coalesce(c.ledger->'state'->'orders' ? (d.event->>'orderId'), false) as in_ledger
       from deliveries d left join contacts c on c.id = d.contact_id
      where d.status = 'applied' and d.event->>'kind' = 'purchase' and d.event->>'orderId' = any($1)`,
    [orderIds],
  );
  const applied = new Set(result.rows.filter((row) => row.in_ledger).map((row) => row.order_id));
  expect(
    orderIds.filter((orderId) => !applied.has(orderId)),
    'acknowledged purchases missing from the ledger',
  ).toEqual([]);
}
