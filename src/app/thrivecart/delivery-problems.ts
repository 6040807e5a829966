import { listItemsSoldOutside, listRejectedDeliveries, type RejectedDelivery } from '../../adapters/store/delivery-problems.ts';
import type { AppContext } from '../context.ts';

/** An item sold in an order Handoff applied, that the configuration does not map. */
export interface UnmappedItem {
  item: string;
  name: string;
  orders: number;
  latestOrderId: string;
  /** The line to add under `items:` (the offering is the creator's to choose). */
  configLine: string;
}

export interface DeliveryProblems {
  /** Authentic deliveries Handoff could not use, with what was missing; `handoff replay` applies them once fixed. */
  rejectedDeliveries: RejectedDelivery[];
  /** Bumps or upsells forgotten in the configuration: their buyers got nothing for them. */
  unmappedItems: UnmappedItem[];
}

export async function listDeliveryProblems(ctx: Pick<AppContext, 'pool' | 'rules'>): Promise<DeliveryProblems> {
  const [rejectedDeliveries, sold] = await Promise.all([listRejectedDeliveries(ctx.pool), listItemsSoldOutside(ctx.pool, [...ctx.rules.items.keys()])]);
  const offering = ctx.rules.offerings.keys().next().value ?? 'your-offering-id';
  return {
    rejectedDeliveries,
    unmappedItems: sold.map((row) => ({
      item: row.item,
      name: row.name,
      orders: row.orders,
      latestOrderId: row.latestOrderId,
      configLine: `- { item: ${row.item}, grants: [${offering}] }   # ${row.name}`,
    })),
  };
}
