import { subscriptionKey, type CommerceEvent, type ItemEvent, type ItemKey } from '../events.ts';
import type { LedgerState, LineRecord, SubscriptionRecord } from './state.ts';

/**
 * Applies one event to the ledger state, in place. Events arrive here already in event-time
 * order; the state records facts only (what was bought, paid, refunded, cancelled) and never
 * decides access, so a rule change takes effect on the next fold without touching history.
 */
export function applyEvent(state: LedgerState, event: CommerceEvent): void {
  const at = event.occurredAt;
  switch (event.kind) {
    case 'purchase': {
      state.orders[event.orderId] ??= {
        orderId: event.orderId,
        placedAt: at,
        currency: event.currency,
        invoiceId: event.invoiceId,
      };
      for (const purchased of event.items) {
        const line = ensureLine(state, event.orderId, purchased.item, purchased.name, at);
        line.name = purchased.name;
        delete line.boughtBeforeHandoff;
        line.purchasedAt = Math.min(line.purchasedAt, at);
        line.lastChargeCents = purchased.amountCents;
        if (purchased.pricingOptionId !== null) line.pricingOptionId = purchased.pricingOptionId;
        if (purchased.quantity !== undefined && purchased.quantity !== null) line.quantity = purchased.quantity;
        if (purchased.recurring) {
          const subscription = ensureSubscription(state, event.orderId, purchased.item);
          subscription.nextPaymentAt ??= purchased.nextChargeAt;
        }
      }
      return;
    }
    case 'renewal': {
      const line = ensureLineFor(state, event);
      line.lastChargeCents = event.amountCents;
      line.refundedCents = 0;
      line.fullyRefundedAt = null;
      line.partiallyRefundedAt = null;
      const subscription = ensureSubscription(state, event.orderId, event.item);
      subscription.payments += 1;
      subscription.lastPaymentAt = at;
      subscription.nextPaymentAt = event.nextPaymentAt;
      subscription.remainingRebills = event.remainingRebills;
      subscription.failingSince = null;
      subscription.failures = 0;
      subscription.amountDueCents = null;
      if (event.remainingRebills === 0 && subscription.status !== 'cancelled') subscription.status = 'completed';
      return;
    }
    case 'payment_failed': {
      ensureLineFor(state, event);
      const subscription = ensureSubscription(state, event.orderId, event.item);
      subscription.failingSince ??= at;
      subscription.failures += 1;
      subscription.amountDueCents = event.amountCents ?? subscription.amountDueCents;
      return;
    }
    case 'cancellation': {
      ensureLineFor(state, event);
      const subscription = ensureSubscription(state, event.orderId, event.item);
      if (subscription.status === 'completed') return;
      subscription.status = 'cancelled';
      subscription.cancelledAt = at;
      subscription.paidThrough = event.paidThrough ?? subscription.nextPaymentAt;
      return;
    }
    case 'paused':
    case 'resumed': {
      ensureLineFor(state, event);
      const subscription = ensureSubscription(state, event.orderId, event.item);
      if (subscription.status === 'cancelled' || subscription.status === 'completed') return;
      subscription.status = event.kind === 'paused' ? 'paused' : 'active';
      subscription.pausedAt = event.kind === 'paused' ? at : null;
      return;
    }
    case 'refund': {
      const line = ensureLineFor(state, event);
      line.refundedCents += event.amountCents;
      // Full vs partial is not flagged by ThriveCart: compare with the stored charge. Without a
      // known charge (the purchase never arrived) the refund is taken as full.
      if (line.lastChargeCents === 0 || line.refundedCents >= line.lastChargeCents) line.fullyRefundedAt ??= at;
      else line.partiallyRefundedAt ??= at;
      return;
    }
    case 'customer_updated':
      return;
    case 'manual_access':
      state.manual[event.offering] = { action: event.action, at, actor: event.actor, note: event.note };
      return;
  }
}

/** The line a later event names; created (as bought before Handoff) when its purchase was never seen. */
function ensureLineFor(state: LedgerState, event: ItemEvent): LineRecord {
  const known = state.lines[subscriptionKey(event.orderId, event.item)];
  if (known) {
    // A name from ThriveCart beats the item key a line revealed by an older, nameless event got.
    if (known.name === known.item && event.itemName) known.name = event.itemName;
    return known;
  }
  const line = ensureLine(state, event.orderId, event.item, event.itemName ?? event.item, event.occurredAt);
  line.boughtBeforeHandoff = true;
  return line;
}

function ensureLine(state: LedgerState, orderId: string, item: ItemKey, name: string, at: number): LineRecord {
  const key = subscriptionKey(orderId, item);
  const existing = state.lines[key];
  if (existing) return existing;
  const line: LineRecord = {
    orderId,
    item,
    name,
    purchasedAt: at,
    lastChargeCents: 0,
    refundedCents: 0,
    fullyRefundedAt: null,
    partiallyRefundedAt: null,
  };
  state.lines[key] = line;
  return line;
}

function ensureSubscription(state: LedgerState, orderId: string, item: ItemKey): SubscriptionRecord {
  const key = subscriptionKey(orderId, item);
  const existing = state.subscriptions[key];
  if (existing) return existing;
  const subscription: SubscriptionRecord = {
    orderId,
    item,
    status: 'active',
    payments: 0,
    lastPaymentAt: null,
    nextPaymentAt: null,
    remainingRebills: null,
    cancelledAt: null,
    paidThrough: null,
    pausedAt: null,
    failingSince: null,
    failures: 0,
    amountDueCents: null,
  };
  state.subscriptions[key] = subscription;
  return subscription;
}
