import { lineEntitlement } from '../access/line-entitlement.ts';
import { subscriptionKey, type CommerceEvent, type ItemKey } from '../events.ts';
import { foldLedger, orderedHistory, type HistoryEntry } from '../ledger/fold.ts';
import type { LedgerRules } from '../ledger/rules.ts';

/** The part of a member's seat that says whose line it follows and when it was held. */
export interface SeatPeriod {
  orderId: string;
  item: ItemKey;
  /** How people read the pool: `Ada Lovelace's team (Team plan, order 9901)`. */
  team: string;
  joinedAt: number;
  leftAt: number | null;
}

/** One step of a payer's line, told in a member's timeline. */
export interface PayerStep {
  at: number;
  summary: string;
}

const WHAT_THE_PAYER_DID: Partial<Record<CommerceEvent['kind'], string>> = {
  renewal: 'payment received',
  payment_failed: 'payment failed',
  cancellation: 'cancelled',
  refund: 'refunded',
  paused: 'paused',
  resumed: 'resumed',
};

/**
 * The payer's steps on the team line while the member held the seat (a failed payment and its
 * grace, the payment that recovered it, a cancellation and when access ends, a refund), each with
 * what the line gave every member right after it: a member's own ledger holds none of these
 * deliveries, yet their access followed each one. No amounts: the payer's money is not the
 * member's to read (their timeline goes into their data export).
 */
export function payerStepsForSeat(
  payerHistory: readonly HistoryEntry[],
  seat: SeatPeriod,
  rules: LedgerRules,
  now: number,
): PayerStep[] {
  const ordered = orderedHistory(payerHistory);
  const heldUntil = Math.min(seat.leftAt ?? now, now);
  const key = subscriptionKey(seat.orderId, seat.item);
  const steps: PayerStep[] = [];
  for (const [index, { event }] of ordered.entries()) {
    const what = WHAT_THE_PAYER_DID[event.kind];
    if (what === undefined || !('item' in event) || event.orderId !== seat.orderId || event.item !== seat.item)
      continue;
    if (event.occurredAt < seat.joinedAt || event.occurredAt > heldUntil) continue;
    const { state } = foldLedger(ordered.slice(0, index + 1), rules, event.occurredAt).projection;
    const line = state.lines[key];
    if (!line) continue;
    const entitlement = lineEntitlement(state, line, rules, event.occurredAt);
    steps.push({ at: event.occurredAt, summary: `${seat.team}: ${what}. Members' access: ${entitlement.reason}` });
  }
  return steps;
}
