import type { ItemKey } from '../events.ts';
import type { LedgerState, LineRecord, SubscriptionRecord } from '../ledger/state.ts';
import { subscriptionKey } from '../events.ts';

/**
 * One seat a member holds (or held) in a team pool, with what their access follows: the payer's
 * purchased line and its subscription, copied from the payer's ledger whenever it changes
 * (app/teams/refresh-team-members.ts). Times are epoch milliseconds.
 */
export interface TeamSeat {
  poolId: number;
  /** The tag a member carries while in the pool (teamTag). */
  tag: string;
  /** How people read the pool: `Ada Lovelace's team (Team plan, order 9901)`. */
  team: string;
  joinedAt: number;
  /** When the member left or was removed; null while they hold the seat. */
  leftAt: number | null;
  line: LineRecord;
  subscription: SubscriptionRecord | null;
}

/** The tag naming a pool, carried by its members: `team-9901-product-40` (order, item). */
export function teamTag(orderId: string, item: ItemKey): string {
  return `team-${orderId}-${item}`.toLowerCase();
}

const TEAM_TAG = /^team-[^\s]+-(product|bump|upsell|downsell)-[0-9]+$/;

/** Whether a tag is a team tag (teamTag): Handoff manages those like the configured ones. */
export function isTeamTag(tag: string): boolean {
  return TEAM_TAG.test(tag);
}

/** The payer's facts for a seat, as a ledger state of their one line, so line rules read them as for the payer. */
export function payerStateOf(seat: TeamSeat): LedgerState {
  const key = subscriptionKey(seat.line.orderId, seat.line.item);
  return {
    orders: {},
    lines: { [key]: seat.line },
    subscriptions: seat.subscription ? { [key]: seat.subscription } : {},
    manual: {},
  };
}

/** Whether the member holds the seat at `at`. */
export function seatHeldAt(seat: TeamSeat, at: number): boolean {
  return seat.joinedAt <= at && (seat.leftAt === null || at < seat.leftAt);
}
