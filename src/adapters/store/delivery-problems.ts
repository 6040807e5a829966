/**
 * Deliveries that need a person: ThriveCart deliveries stored as rejected (authentic but
 * unusable), and items sold in applied orders that the configuration does not map.
 */
import type { Queryable } from './database.ts';

export interface RejectedDelivery {
  deliveryId: number;
  eventName: string;
  receivedAt: number;
  /** What was missing or wrong, as the normaliser said it. */
  reason: string;
}

export async function listRejectedDeliveries(db: Queryable, limit = 200): Promise<RejectedDelivery[]> {
  const result = await db.query<RejectedDelivery>(
    `select id as "deliveryId", event_name as "eventName", (extract(epoch from received_at) * 1000)::float8 as "receivedAt", coalesce(reason, '') as reason
       from deliveries where status = 'rejected' order by received_at desc, id desc limit $1`,
    [limit],
  );
  return result.rows;
}

export interface SoldItem {
  item: string;
  name: string;
  orders: number;
  latestOrderId: string;
}

/**
 * Items bought in applied orders that are not in `configured`, one row per item with how many
 * orders carried it. Reads only the ledgers the fold marked with `unmappedItems` (an index of
 * just those contacts, migration 015), never every purchase.
 */
export async function listItemsSoldOutside(db: Queryable, configured: readonly string[]): Promise<SoldItem[]> {
  const result = await db.query<SoldItem>(
    `select line.value->>'item' as item, max(line.value->>'name') as name, count(*)::int as orders,
            (array_agg(line.value->>'orderId' order by (line.value->>'purchasedAt')::float8 desc, c.id desc))[1] as "latestOrderId"
       from contacts c cross join lateral jsonb_each(c.ledger->'state'->'lines') line
      where c.ledger ? 'unmappedItems' and not (line.value->>'item' = any($1::text[]))
      group by line.value->>'item' order by max((line.value->>'purchasedAt')::float8) desc`,
    [configured],
  );
  return result.rows;
}

export interface SilentSubscription {
  email: string;
  orderId: string;
  item: string;
  name: string;
  /** When its payment was due (epoch ms). */
  dueAt: number;
}

/**
 * Active subscriptions whose payment was due before `dueBefore` with nothing since: no renewal
 * (it would have moved the due date), no failure, no cancellation. Reads only the contacts whose
 * earliest expected payment (`nextPaymentExpectedAt`, indexed by migration 015) is that old.
 */
export async function listSilentSubscriptions(
  db: Queryable,
  dueBefore: number,
  limit = 500,
): Promise<SilentSubscription[]> {
  const result = await db.query<SilentSubscription>(
    `select c.email, s.value->>'orderId' as "orderId", s.value->>'item' as item,
            coalesce(c.ledger->'state'->'lines'->s.key->>'name', s.value->>'item') as name, (s.value->>'nextPaymentAt')::float8 as "dueAt"
       from contacts c cross join lateral jsonb_each(c.ledger->'state'->'subscriptions') s
      where c.ledger ? 'nextPaymentExpectedAt' and (c.ledger->>'nextPaymentExpectedAt')::float8 < $1
        and s.value->>'status' = 'active' and jsonb_typeof(s.value->'failingSince') = 'null'
        and jsonb_typeof(s.value->'nextPaymentAt') = 'number' and (s.value->>'nextPaymentAt')::float8 < $1
      order by (s.value->>'nextPaymentAt')::float8 limit $2`,
    [dueBefore, limit],
  );
  return result.rows;
}
