import type { CommerceEvent, ItemKey } from '../events.ts';
import { deriveAccess, type AccessEntry } from '../access/derive-access.ts';
import { entitlementBoundaries } from '../access/line-entitlement.ts';
import { applyEvent } from './apply-event.ts';
import { describeEvent } from './describe-event.ts';
import { type LedgerRules, offeringName } from './rules.ts';
import { emptyLedgerState, type LedgerState } from './state.ts';
import type { TeamSeat } from '../teams/team-seat.ts';

/** One applied delivery of a contact's history. */
export interface HistoryEntry {
  deliveryId: number;
  event: CommerceEvent;
}

/** Why something changed: a delivery, or time passing (end of a paid period or a grace period). */
export type Cause =
  | { type: 'delivery'; deliveryId: number }
  | { type: 'scheduled' }
  /** The contact joined or left a team pool (docs/teams.md). */
  | { type: 'team'; poolId: number };

export interface TagChange {
  tag: string;
  change: 'added' | 'removed';
}

export interface AccessChange {
  offering: string;
  granted: boolean;
  reason: string;
}

export interface TimelineEntry {
  at: number;
  cause: Cause;
  summary: string;
  tagChanges: TagChange[];
  accessChanges: AccessChange[];
}

/** Where a tag the contact carries came from. */
export interface TagProvenance {
  since: number;
  cause: Cause;
  why: string;
}

/** The stored result of a fold (contacts.ledger). */
export interface LedgerProjection {
  state: LedgerState;
  tags: Record<string, TagProvenance>;
  access: AccessEntry[];
  /** The next instant at which access changes by itself; a timer recomputes the contact then. */
  nextChangeAt: number | null;
  /** The `now` this projection was computed for. */
  asOf: number;
  /**
   * Items this person bought that the configuration did not map when folded (a bump or upsell
   * forgotten in the config); absent when none. Indexed, so the Problems page finds them without
   * reading every ledger.
   */
  unmappedItems?: ItemKey[];
  /**
   * The earliest payment an active, paying subscription expects (epoch ms); absent when none.
   * Indexed: the Problems page's subscriptions ThriveCart went silent about.
   */
  nextPaymentExpectedAt?: number;
}

/** Purchases sort first among events of the same second: a refund can't precede its purchase. */
const KIND_ORDER: Record<CommerceEvent['kind'], number> = {
  purchase: 0,
  renewal: 1,
  payment_failed: 2,
  paused: 3,
  resumed: 4,
  refund: 5,
  cancellation: 6,
  customer_updated: 7,
  manual_access: 8,
};

export function compareHistory(a: HistoryEntry, b: HistoryEntry): number {
  return (
    a.event.occurredAt - b.event.occurredAt ||
    KIND_ORDER[a.event.kind] - KIND_ORDER[b.event.kind] ||
    a.deliveryId - b.deliveryId
  );
}

/**
 * What makes a money event one happening whichever way it reached Handoff: a live webhook and the
 * same transaction imported from ThriveCart's API carry the same order, item, time and amount.
 * Null for events that are idempotent by themselves (a purchase sets its lines, a cancellation
 * its status).
 */
function happeningKey(event: CommerceEvent): string | null {
  if (event.kind === 'renewal' || event.kind === 'refund')
    return `${event.kind}:${event.orderId}:${event.item}:${event.occurredAt}:${event.amountCents}`;
  return null;
}

/**
 * The history in event-time order, each happening once: a renewal or refund that arrived both as
 * a webhook and from an import counts once (the first stored wins).
 */
export function orderedHistory(history: readonly HistoryEntry[]): HistoryEntry[] {
  const seen = new Set<string>();
  return [...history].sort(compareHistory).filter((entry) => {
    const key = happeningKey(entry.event);
    if (key === null) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Folds a contact's whole history, in event-time order whatever order it arrived in, into the
 * projection at `now`, with the timeline that explains every tag and access change. Time passing
 * between events (a paid period ending, a grace period running out) is a step of its own.
 */
export function foldLedger(
  history: readonly HistoryEntry[],
  rules: LedgerRules,
  now: number,
  teamSeats: readonly TeamSeat[] = [],
): { projection: LedgerProjection; timeline: TimelineEntry[] } {
  const state = emptyLedgerState();
  if (teamSeats.length > 0) state.teamSeats = [...teamSeats];
  const tags = new Map<string, TagProvenance>();
  let access: AccessEntry[] = [];
  const timeline: TimelineEntry[] = [];
  let clock = -Infinity;

  const step = (at: number, cause: Cause, summary: string | null): void => {
    const derived = deriveAccess(state, rules, at, new Set(tags.keys()));
    const tagChanges: TagChange[] = [];
    for (const tag of tags.keys()) {
      if (!derived.tags.has(tag)) {
        tags.delete(tag);
        tagChanges.push({ tag, change: 'removed' });
      }
    }
    const accessChanges = diffAccess(access, derived.access);
    const consequence = accessChanges
      .map((change) => `access to ${offeringName(rules, change.offering)} ${change.granted ? 'granted' : 'removed'}`)
      .join(', ');
    const what = summary ?? accessChanges.map((change) => change.reason).join('; ');
    const why = consequence === '' ? what : `${what}: ${consequence}`;
    for (const tag of derived.tags) {
      if (!tags.has(tag)) {
        tags.set(tag, { since: at, cause, why });
        tagChanges.push({ tag, change: 'added' });
      }
    }
    access = derived.access;
    if (summary !== null || tagChanges.length > 0 || accessChanges.length > 0) {
      timeline.push({ at, cause, summary: why, tagChanges, accessChanges });
    }
  };

  const advanceTo = (until: number): void => {
    const moments = [
      ...[...new Set(entitlementBoundaries(state, rules))].map((at) => ({
        at,
        cause: { type: 'scheduled' } as Cause,
        summary: null,
      })),
      ...teamMoments(teamSeats),
    ].sort((a, b) => a.at - b.at);
    for (const moment of moments) {
      if (moment.at > clock && moment.at <= until) step(moment.at, moment.cause, moment.summary);
    }
    clock = Math.max(clock, until);
  };

  for (const entry of orderedHistory(history)) {
    advanceTo(Math.min(entry.event.occurredAt, now));
    applyEvent(state, entry.event);
    step(entry.event.occurredAt, { type: 'delivery', deliveryId: entry.deliveryId }, describeEvent(entry.event, rules));
  }
  advanceTo(now);
  // Entitlements are re-read at `now` so `until` and reasons are current even between steps.
  access = deriveAccess(state, rules, now, new Set(tags.keys())).access;

  const upcoming = entitlementBoundaries(state, rules).filter((boundary) => boundary > now);
  return {
    projection: {
      state,
      tags: Object.fromEntries(tags),
      access,
      nextChangeAt: upcoming.length > 0 ? Math.min(...upcoming) : null,
      asOf: now,
      ...problemMarkers(state, rules),
    },
    timeline,
  };
}

/** Joining and leaving a team are steps of the member's own timeline. */
function teamMoments(seats: readonly TeamSeat[]): { at: number; cause: Cause; summary: string }[] {
  return seats.flatMap((seat) => {
    const cause: Cause = { type: 'team', poolId: seat.poolId };
    const joined = { at: seat.joinedAt, cause, summary: `Joined ${seat.team}` };
    return seat.leftAt === null ? [joined] : [joined, { at: seat.leftAt, cause, summary: `Left ${seat.team}` }];
  });
}

/** What the Problems page looks for, set only when there is something (most ledgers carry neither). */
function problemMarkers(
  state: LedgerState,
  rules: LedgerRules,
): Pick<LedgerProjection, 'unmappedItems' | 'nextPaymentExpectedAt'> {
  const unmapped = [...new Set(Object.values(state.lines).map((line) => line.item))].filter(
    (item) => !rules.items.has(item),
  );
  const expected = Object.values(state.subscriptions)
    .filter((subscription) => subscription.status === 'active' && subscription.failingSince === null)
    .map((subscription) => subscription.nextPaymentAt)
    .filter((at): at is number => at !== null);
  return {
    ...(unmapped.length > 0 ? { unmappedItems: unmapped } : {}),
    ...(expected.length > 0 ? { nextPaymentExpectedAt: Math.min(...expected) } : {}),
  };
}

function diffAccess(before: readonly AccessEntry[], after: readonly AccessEntry[]): AccessChange[] {
  const previous = new Map(before.map((entry) => [entry.offering, entry.granted]));
  return after
    .filter(
      (entry) =>
        previous.get(entry.offering) !== entry.granted && (entry.granted || previous.get(entry.offering) === true),
    )
    .map((entry) => ({ offering: entry.offering, granted: entry.granted, reason: entry.reason }));
}
