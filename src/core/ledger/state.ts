import type { ItemKey } from '../events.ts';
import type { TeamSeat } from '../teams/team-seat.ts';

/**
 * What the ledger remembers about one contact's commerce history. Times are epoch milliseconds.
 * It is always rebuilt by folding the contact's applied events in event-time order, so it is
 * plain JSON (stored as-is in contacts.ledger).
 */
export interface LedgerState {
  orders: Record<string, OrderRecord>;
  /** Keyed by subscription key (`<orderId>:<item key>`): one line per item of an order. */
  lines: Record<string, LineRecord>;
  /** Keyed by subscription key; only items that bill more than once. */
  subscriptions: Record<string, SubscriptionRecord>;
  /** The latest manual grant or revoke per offering id. */
  manual: Record<string, ManualAccessRecord>;
  /**
   * Seats this contact holds (or held) in other people's team pools, each with the payer's line as
   * the payer's ledger holds it now. Not from this contact's history: given to the fold by whoever
   * folds (docs/teams.md), and kept here so access can be derived again from the state alone.
   */
  teamSeats?: TeamSeat[];
}

export interface ManualAccessRecord {
  action: 'grant' | 'revoke';
  at: number;
  actor: string;
  note: string;
}

export interface OrderRecord {
  orderId: string;
  placedAt: number;
  currency: string;
  invoiceId: string | null;
}

/** One item (product, bump, upsell or downsell) bought in one order. */
export interface LineRecord {
  orderId: string;
  item: ItemKey;
  name: string;
  /** When the purchase was seen; a renewal or refund can reveal a line whose purchase was lost. */
  purchasedAt: number;
  /**
   * True while the line is known only from later events (a renewal, refund, cancellation...) of
   * an order whose purchase Handoff never received: bought before Handoff was installed. The
   * person had the item, so ending it must take access away even though Handoff never granted it.
   */
  boughtBeforeHandoff?: boolean;
  /** ThriveCart's pricing option (`payment_plan_id`) of the purchase, when it said. */
  pricingOptionId?: string;
  /** Units bought (`charges[].quantity`), when the purchase said. */
  quantity?: number;
  /** The most recent charge for this line (purchase or renewal), in cents; 0 when unknown. */
  lastChargeCents: number;
  /** Money refunded against the most recent charge, in cents. */
  refundedCents: number;
  /** Set when refunds reached the stored charge (or no charge was known). */
  fullyRefundedAt: number | null;
  partiallyRefundedAt: number | null;
}

export type SubscriptionStatus = 'active' | 'paused' | 'cancelled' | 'completed';

export interface SubscriptionRecord {
  orderId: string;
  item: ItemKey;
  status: SubscriptionStatus;
  /** Successful rebills after the first charge. */
  payments: number;
  lastPaymentAt: number | null;
  nextPaymentAt: number | null;
  /** Rebills left on a payment plan; null for open-ended subscriptions. */
  remainingRebills: number | null;
  cancelledAt: number | null;
  /** End of the period already paid, as told by the cancellation. */
  paidThrough: number | null;
  pausedAt: number | null;
  /** First failure of the current unpaid charge; null while payments are fine. */
  failingSince: number | null;
  failures: number;
  /** Amount due on the failing charge, in cents, when known. */
  amountDueCents: number | null;
}

export function emptyLedgerState(): LedgerState {
  return { orders: {}, lines: {}, subscriptions: {}, manual: {} };
}
