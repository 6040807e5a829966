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
