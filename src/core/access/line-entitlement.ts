import type { LedgerRules } from '../ledger/rules.ts';
import type { LedgerState, LineRecord, SubscriptionRecord } from '../ledger/state.ts';
import { subscriptionKey } from '../events.ts';
import { describeDay } from '../describe.ts';
import { DAY_MS } from '../time.ts';

/** Whether one purchased line entitles its offerings at a given time, and why. */
export type LineEntitlement =
  | { active: true; until: number | null; reason: string }
  | { active: false; since: number; reason: string };

/**
 * Decides a line's entitlement at time `at` from the recorded facts and the item's rules.
 * Refunds come first (they undo the purchase), then the subscription's state.
 */
export function lineEntitlement(state: LedgerState, line: LineRecord, rules: LedgerRules, at: number): LineEntitlement {
  const item = rules.items.get(line.item);
  const label = `${line.name} (${line.item}, order ${line.orderId}${line.boughtBeforeHandoff ? ', bought before Handoff was installed' : ''})`;
  if (item) {
    if (line.fullyRefundedAt !== null && item.onRefund === 'revoke') {
      return { active: false, since: line.fullyRefundedAt, reason: `Refunded ${label} on ${describeDay(line.fullyRefundedAt)}` };
    }
    if (line.partiallyRefundedAt !== null && item.onPartialRefund === 'revoke') {
      return { active: false, since: line.partiallyRefundedAt, reason: `Partially refunded ${label} on ${describeDay(line.partiallyRefundedAt)}` };
    }
  }
  const subscription = state.subscriptions[subscriptionKey(line.orderId, line.item)];
  if (!subscription) return { active: true, until: null, reason: `Purchased ${label} on ${describeDay(line.purchasedAt)}` };
  return subscriptionEntitlement(subscription, label, rules, at);
}

function subscriptionEntitlement(subscription: SubscriptionRecord, label: string, rules: LedgerRules, at: number): LineEntitlement {
  const item = rules.items.get(subscription.item);
  if (subscription.status === 'cancelled' && subscription.cancelledAt !== null) {
    const immediate = item?.onCancel === 'immediately' || subscription.paidThrough === null;
    const end = immediate ? subscription.cancelledAt : Math.max(subscription.paidThrough ?? 0, subscription.cancelledAt);
    if (at >= end) {
      return immediate
        ? { active: false, since: end, reason: `Cancelled ${label} on ${describeDay(subscription.cancelledAt)}; access ended at once` }
        : { active: false, since: end, reason: `Cancelled ${label} on ${describeDay(subscription.cancelledAt)}; the paid period ended on ${describeDay(end)}` };
    }
    return { active: true, until: end, reason: `Cancelled ${label} on ${describeDay(subscription.cancelledAt)}; access continues until the paid period ends on ${describeDay(end)}` };
  }
  if (subscription.status === 'paused' && item?.onPause !== 'keep' && subscription.pausedAt !== null) {
    return { active: false, since: subscription.pausedAt, reason: `Paused ${label} on ${describeDay(subscription.pausedAt)}` };
  }
  const policy = rules.dunning.get(subscription.item);
  if (subscription.failingSince !== null && policy) {
    const graceEnd = subscription.failingSince + policy.graceDays * DAY_MS;
    if (at >= graceEnd) {
      return {
        active: false,
        since: graceEnd,
        reason: `Payment for ${label} failed on ${describeDay(subscription.failingSince)} and was not recovered within ${policy.graceDays} days`,
      };
    }
    return {
      active: true,
      until: graceEnd,
      reason: `Payment for ${label} failed on ${describeDay(subscription.failingSince)}; access continues until ${describeDay(graceEnd)} unless it is paid`,
    };
  }
  if (subscription.status === 'completed') return { active: true, until: null, reason: `Paid ${label} in full` };
  const renewed = subscription.lastPaymentAt === null ? '' : `; last renewed on ${describeDay(subscription.lastPaymentAt)}`;
  return { active: true, until: null, reason: `Subscribed to ${label}${renewed}` };
}

/** Instants after which some line's entitlement changes by itself (end of paid period, end of grace). */
export function entitlementBoundaries(state: LedgerState, rules: LedgerRules): number[] {
  const boundaries: number[] = [];
  for (const subscription of Object.values(state.subscriptions)) {
    if (subscription.status === 'cancelled' && subscription.cancelledAt !== null && subscription.paidThrough !== null) {
      boundaries.push(Math.max(subscription.paidThrough, subscription.cancelledAt));
    }
    const policy = rules.dunning.get(subscription.item);
    if (subscription.failingSince !== null && policy) boundaries.push(subscription.failingSince + policy.graceDays * DAY_MS);
  }
  return boundaries;
}
