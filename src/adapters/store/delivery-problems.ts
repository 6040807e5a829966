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
  latestDeliveryId: number;
}

/**
 * Items of applied purchases that are not in `configured`, one row per item with how many orders
 * carried it. It reads every applied purchase, so it is for the problems list, not the intake.
 */
export async function listItemsSoldOutside(db: Queryable, configured: readonly string[]): Promise<SoldItem[]> {
  const result = await db.query<SoldItem>(
    `select line->>'item' as item, max(line->>'name') as name, count(distinct d.id)::int as orders,
            (array_agg(d.event->>'orderId' order by d.id desc))[1] as "latestOrderId", max(d.id)::int as "latestDeliveryId"
       from deliveries d cross join lateral jsonb_array_elements(d.event->'items') line
      where d.status = 'applied' and d.event_name = 'order.success' and d.event->>'kind' = 'purchase'
        and not (line->>'item' = any($1::text[]))
      group by line->>'item' order by max(d.id) desc`,
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
 * (it would have moved the due date), no failure, no cancellation. Reads every contact's ledger.
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
      where s.value->>'status' = 'active' and jsonb_typeof(s.value->'failingSince') = 'null'
        and jsonb_typeof(s.value->'nextPaymentAt') = 'number' and (s.value->>'nextPaymentAt')::float8 < $1
      order by (s.value->>'nextPaymentAt')::float8 limit $2`,
    [dueBefore, limit],
  );
  return result.rows;
}
