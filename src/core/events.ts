/**
 * The closed vocabulary of commerce events the core understands.
 *
 * Terminology
 * - item key: `<type>-<id>` exactly as ThriveCart writes it in `purchase_map` (`product-12`,
 *   `bump-12`, `upsell-2`, `downsell-5`). A bump's id equals its product's id, so the type is
 *   always part of the key.
 * - subscription key: `<orderId>:<item key>`. ThriveCart keeps `order_id` on every later event of
 *   an order, and a rebill names its item by type + id, so this pair identifies one subscription or
 *   payment plan on every event that concerns it (the ThriveCart `subscription_id` is not on all
 *   of them).
 * - event time: when the thing happened at ThriveCart (`date_unix`, else `order_timestamp`), in
 *   epoch milliseconds. Never the arrival time: deliveries arrive out of order.
 * - money: integer minor units (cents), as ThriveCart sends it.
 */

export const ITEM_TYPES = ['product', 'bump', 'upsell', 'downsell'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];

/** `product-12`, `bump-12`, `upsell-2`, `downsell-5`. */
export type ItemKey = `${ItemType}-${string}`;

export function itemKey(type: ItemType, id: string): ItemKey {
  return `${type}-${id}`;
}

export function subscriptionKey(orderId: string, item: ItemKey): string {
  return `${orderId}:${item}`;
}

/** Who the event is about. Email is trimmed and lower-cased; blank names are `null`. */
export interface CustomerRef {
  /** ThriveCart customer id (may exceed 2^53, so always a string); null when absent. */
  thrivecartId: string | null;
  email: string;
  firstName: string | null;
  lastName: string | null;
}

interface EventBase {
  /** Event time in epoch milliseconds (see the terminology block). */
  occurredAt: number;
  /** false for ThriveCart test-mode events (`mode=test`). */
  live: boolean;
  customer: CustomerRef;
}

/** One line of a checkout: the front-end product, a bump, an upsell or a downsell. */
export interface PurchasedItem {
  item: ItemKey;
  /** Display name, HTML entities decoded. */
  name: string;
  /** What was charged for this item now, in cents (0 for a free trial). */
  amountCents: number;
  /** Pricing option (`payment_plan_id`), null when absent. */
  pricingOptionId: string | null;
  /** True when later charges are scheduled for this item (subscription or payment plan). */
  recurring: boolean;
  /** ThriveCart subscription id (`subscription_ids[<item>]`), null when absent. */
  thrivecartSubscriptionId: string | null;
  /** When the next charge is due (epoch ms), null when none is scheduled. */
  nextChargeAt: number | null;
  /** Units bought (`charges[].quantity`); absent or null when the body does not say. */
  quantity?: number | null;
  /** How often it bills (`month`, `year`...), from its recurring charge line; null for one-off items. */
  frequency?: string | null;
}

/** `order.success`: a checkout completed; every purchased item is listed. */
export interface PurchaseEvent extends EventBase {
  kind: 'purchase';
  orderId: string;
  invoiceId: string | null;
  currency: string;
  items: PurchasedItem[];
  /** `accessible_purchase_map`, when the body has it (undocumented; kept as sent for the record). */
  accessibleItems?: ItemKey[];
}

/** What every event about one item of an order may say besides the item key. */
interface ItemEventDetails {
  /** The item's name as ThriveCart sent it (`subscription[name]`, `refund[name]`, `base_product_name`). */
  itemName?: string | null;
  /** ThriveCart's subscription id (top-level `subscription_id`), null when absent. */
  thrivecartSubscriptionId?: string | null;
}

/** `order.subscription_payment`: a rebill or payment-plan instalment succeeded. */
export interface RenewalEvent extends EventBase, ItemEventDetails {
  kind: 'renewal';
  orderId: string;
  item: ItemKey;
  invoiceId: string | null;
  amountCents: number;
  /** 1-based count of rebills (`recurring_payment_idx`), null when absent. */
  paymentIndex: number | null;
  /** When the next charge is due (epoch ms); null when none (e.g. the last instalment). */
  nextPaymentAt: number | null;
  /** Rebills left on a payment plan; null for an open-ended subscription. */
  remainingRebills: number | null;
  /** `subscription[frequency]` (`month`, `year`...), null when absent. */
  frequency?: string | null;
}

/** `order.rebill_failed`: a recurring charge attempt failed; the processor may retry. */
export interface PaymentFailedEvent extends EventBase, ItemEventDetails {
  kind: 'payment_failed';
  orderId: string;
  item: ItemKey;
  invoiceId: string | null;
  /** Amount that was due, in cents; null when the payload does not say. */
  amountCents: number | null;
}

/** `order.subscription_cancelled`: no further charges. */
export interface CancellationEvent extends EventBase, ItemEventDetails {
  kind: 'cancellation';
  orderId: string;
  item: ItemKey;
  /** End of the period already paid (`billing_period_end`, epoch ms); null when absent. */
  paidThrough: number | null;
}

/** `order.subscription_paused` / `order.subscription_resumed`. */
export interface PauseEvent extends EventBase, ItemEventDetails {
  kind: 'paused' | 'resumed';
  orderId: string;
  item: ItemKey;
}

/** `order.refund`: money returned for ONE item of an order (full or partial). */
export interface RefundEvent extends EventBase, ItemEventDetails {
  kind: 'refund';
  orderId: string;
  item: ItemKey;
  amountCents: number;
}

/** `customer_updated`: the customer changed their details (possibly their email). */
export interface CustomerUpdatedEvent extends EventBase {
  kind: 'customer_updated';
}

/**
 * A person in the console granted or revoked an offering by hand. A grant holds until a later
 * manual revoke; a revoke denies what was bought before it (a purchase after it grants again).
 */
export interface ManualAccessEvent extends EventBase {
  kind: 'manual_access';
  offering: string;
  action: 'grant' | 'revoke';
  /** Who did it (the console user), and why, as they wrote it. */
  actor: string;
  note: string;
}

export type CommerceEvent =
  | PurchaseEvent
  | RenewalEvent
  | PaymentFailedEvent
  | CancellationEvent
  | PauseEvent
  | RefundEvent
  | CustomerUpdatedEvent
  | ManualAccessEvent;

/** An authentic delivery that is not ours to act on, with the reason (kept, never applied). */
export interface IgnoredDelivery {
  kind: 'ignored';
  reason: string;
}

/** The events that name one item of one order. */
export type ItemEvent = Exclude<CommerceEvent, PurchaseEvent | CustomerUpdatedEvent | ManualAccessEvent>;
