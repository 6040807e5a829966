import type { LedgerRules } from '../ledger/rules.ts';
import type { LedgerState, LineRecord, SubscriptionRecord } from '../ledger/state.ts';
import { subscriptionKey } from '../events.ts';
import { describeDay } from '../describe.ts';
import { DAY_MS } from '../time.ts';

/** Whether one purchased line entitles its offerings at a given time, and why. */
export type LineEntitlement =
  { active: true; until: number | null; reason: string } | { active: false; since: number; reason: string };

/**
 * Decides a line's entitlement at time `at` from the recorded facts and the item's rules.
 * Refunds come first (they undo the purchase), then the subscription's state.
 */
export function lineEntitlement(state: LedgerState, line: LineRecord, rules: LedgerRules, at: number): LineEntitlement {
  const item = rules.items.get(line.item);
  const label = `${line.name} (${line.item}, order ${line.orderId}${line.boughtBeforeHandoff ? ', bought before Handoff was installed' : ''})`;
  if (item) {
    if (line.fullyRefundedAt !== null && item.onRefund === 'revoke') {
      return {
        active: false,
        since: line.fullyRefundedAt,
        reason: `Refunded ${label} on ${describeDay(line.fullyRefundedAt)}`,
      };
    }
    if (line.partiallyRefundedAt !== null && item.onPartialRefund === 'revoke') {
      return {
        active: false,
        since: line.partiallyRefundedAt,
        reason: `Partially refunded ${label} on ${describeDay(line.partiallyRefundedAt)}`,
      };
    }
  }
  const subscription = state.subscriptions[subscriptionKey(line.orderId, line.item)];
  if (!subscription)
    return { active: true, until: null, reason: `Purchased ${label} on ${describeDay(line.purchasedAt)}` };
  return subscriptionEntitlement(subscription, label, rules, at);
}

function subscriptionEntitlement(
  subscription: SubscriptionRecord,
  label: string,
  rules: LedgerRules,
  at: number,
): LineEntitlement {
  const item = rules.items.get(subscription.item);
  if (subscription.status === 'cancelled' && subscription.cancelledAt !== null) {
    const immediate = item?.onCancel === 'immediately' || subscription.paidThrough === null;
    const end = immediate
      ? subscription.cancelledAt
      : Math.max(subscription.paidThrough ?? 0, subscription.cancelledAt);
    if (at >= end) {
      return immediate
        ? {
            active: false,
            since: end,
            reason: `Cancelled ${label} on ${describeDay(subscription.cancelledAt)}; access ended at once`,
          }
        : {
            active: false,
            since: end,
            reason: `Cancelled ${label} on ${describeDay(subscription.cancelledAt)}; the paid period ended on ${describeDay(end)}`,
          };
    }
    return {
      active: true,
      until: end,
      reason: `Cancelled ${label} on ${describeDay(subscription.cancelledAt)}; access continues until the paid period ends on ${describeDay(end)}`,
    };
  }
  if (subscription.status === 'paused' && item?.onPause !== 'keep' && subscription.pausedAt !== null) {
    return {
      active: false,
      since: subscription.pausedAt,
      reason: `Paused ${label} on ${describeDay(subscription.pausedAt)}`,
    };
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
  const silentSince = silenceRevokesAt(subscription, rules);
  if (silentSince !== null && at >= silentSince) {
    return {
      active: false,
      since: silentSince,
      reason: `No word from ThriveCart about ${label} since its payment was due on ${describeDay(subscription.nextPaymentAt ?? silentSince)}`,
    };
  }
  if (subscription.status === 'completed') return { active: true, until: null, reason: `Paid ${label} in full` };
  const renewed =
    subscription.lastPaymentAt === null ? '' : `; last renewed on ${describeDay(subscription.lastPaymentAt)}`;
  return { active: true, until: null, reason: `Subscribed to ${label}${renewed}` };
}

/**
 * When ThriveCart's silence about an active subscription ends its access: its payment was due
 * `rules.silentAfterMs` ago with no renewal, failure or cancellation since, and the item's
 * `onSilence` is `revoke`. Null when silence keeps access (the default; it is shown as a problem).
 */
function silenceRevokesAt(subscription: SubscriptionRecord, rules: LedgerRules): number | null {
  if (rules.items.get(subscription.item)?.onSilence !== 'revoke') return null;
  if (subscription.status !== 'active' || subscription.failingSince !== null || subscription.nextPaymentAt === null)
    return null;
  return subscription.nextPaymentAt + rules.silentAfterMs;
}

/** Instants after which some line's entitlement changes by itself (end of paid period, end of grace, ThriveCart's silence). */
export function entitlementBoundaries(state: LedgerState, rules: LedgerRules): number[] {
  const boundaries: number[] = [];
  // A member's access follows the payer's line, so its ends are the member's too: those to come
  // (the subscription's), and those the payer's line met while the member held the seat.
  const heldSeats = (state.teamSeats ?? []).filter((seat) => seat.leftAt === null);
  const followed = heldSeats.flatMap((seat) => (seat.subscription ? [seat.subscription] : []));
  for (const seat of heldSeats) {
    const ended = [
      seat.line.fullyRefundedAt,
      seat.line.partiallyRefundedAt,
      seat.subscription?.cancelledAt,
      seat.subscription?.pausedAt,
    ];
    for (const at of ended) if (at !== null && at !== undefined && at > seat.joinedAt) boundaries.push(at);
  }
  for (const subscription of [...Object.values(state.subscriptions), ...followed]) {
    if (subscription.status === 'cancelled' && subscription.cancelledAt !== null && subscription.paidThrough !== null) {
      boundaries.push(Math.max(subscription.paidThrough, subscription.cancelledAt));
    }
    const policy = rules.dunning.get(subscription.item);
    if (subscription.failingSince !== null && policy)
      boundaries.push(subscription.failingSince + policy.graceDays * DAY_MS);
    const silentSince = silenceRevokesAt(subscription, rules);
    if (silentSince !== null) boundaries.push(silentSince);
  }
  return boundaries;
}
