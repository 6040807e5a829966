import type { LedgerRules } from '../ledger/rules.ts';
import type { LedgerState } from '../ledger/state.ts';
import { subscriptionKey } from '../events.ts';
import { describeDay } from '../describe.ts';
import { lineEntitlement, type LineEntitlement } from './line-entitlement.ts';
import { payerStateOf, seatHeldAt, type TeamSeat } from '../teams/team-seat.ts';

/** Access to one offering at one instant, with the reason a person can read. */
export interface AccessEntry {
  offering: string;
  granted: boolean;
  /** When granted access is scheduled to end (epoch ms); null when open-ended or not granted. */
  until: number | null;
  reason: string;
}

export interface DerivedAccess {
  /** The tags the contact should carry in the CRM, by name. */
  tags: Set<string>;
  /** One entry per offering some purchase of this contact concerns, in configuration order. */
  access: AccessEntry[];
}

/**
 * AccessAlly's rule, applied to the ledger: an offering is granted by its access tag and denied by
 * its revoke tag (deny wins). Once granted, the access tag stays and the revoke tag is added when
 * access ends, so the CRM shows both that the person had it and that it was taken away; a new
 * purchase removes the revoke tag again. `previousTags` are the tags before this instant. An
 * offering bought before Handoff was installed was granted without Handoff, so it is treated as
 * granted before: when it ends, it gets the revoke tag too.
 */
export function deriveAccess(
  state: LedgerState,
  rules: LedgerRules,
  at: number,
  previousTags: ReadonlySet<string>,
): DerivedAccess {
  const tags = new Set<string>();
  const byOffering = new Map<string, { entitlement: LineEntitlement; purchasedAt: number }[]>();
  /** Offerings some line bought before Handoff grants: the person had them without Handoff's tags. */
  const heldBeforeHandoff = new Set<string>();
  for (const line of Object.values(state.lines)) {
    const item = rules.items.get(line.item);
    if (!item) continue;
    const entitlement = lineEntitlement(state, line, rules, at);
    for (const offering of item.grants) {
      if (line.boughtBeforeHandoff) heldBeforeHandoff.add(offering);
      const list = byOffering.get(offering) ?? [];
      list.push({ entitlement, purchasedAt: line.purchasedAt });
      byOffering.set(offering, list);
    }
    const purchaseStands = !(
      (line.fullyRefundedAt !== null && item.onRefund === 'revoke') ||
      (line.partiallyRefundedAt !== null && item.onPartialRefund === 'revoke')
    );
    if (purchaseStands) item.tags.forEach((tag) => tags.add(tag));
    const subscription = state.subscriptions[subscriptionKey(line.orderId, line.item)];
    const failedTag = rules.dunning.get(line.item)?.failedTag;
    if (subscription?.failingSince != null && subscription.status !== 'cancelled' && failedTag) tags.add(failedTag);
    if (subscription?.status === 'completed' && item.paidInFullTag) tags.add(item.paidInFullTag);
  }
  for (const seat of state.teamSeats ?? []) {
    const item = rules.items.get(seat.line.item);
    if (!item || seat.joinedAt > at) continue;
    const held = seatHeldAt(seat, at);
    if (held) tags.add(seat.tag);
    const entitlement = held ? memberEntitlement(seat, rules, at) : leftEntitlement(seat);
    for (const offering of item.grants) {
      const list = byOffering.get(offering) ?? [];
      list.push({ entitlement, purchasedAt: seat.joinedAt });
      byOffering.set(offering, list);
    }
  }

  const access: AccessEntry[] = [];
  for (const [offeringId, offering] of rules.offerings) {
    const entitlements = withManualAccess(byOffering.get(offeringId), state.manual?.[offeringId]);
    if (!entitlements) {
      if (previousTags.has(offering.accessTag)) {
        tags.add(offering.accessTag);
        tags.add(offering.revokeTag);
      }
      continue;
    }
    const entry = combine(offeringId, entitlements);
    access.push(entry);
    if (entry.granted) {
      tags.add(offering.accessTag);
    } else if (previousTags.has(offering.accessTag) || heldBeforeHandoff.has(offeringId)) {
      tags.add(offering.accessTag);
      tags.add(offering.revokeTag);
    }
  }
  return { tags, access };
}

/** A member's access is the payer's line's entitlement, exactly; only the reason says whose it is. */
function memberEntitlement(seat: TeamSeat, rules: LedgerRules, at: number): LineEntitlement {
  const payer = lineEntitlement(payerStateOf(seat), seat.line, rules, at);
  const member = `Member of ${seat.team} since ${describeDay(seat.joinedAt)}`;
  // The seat holds the payer's line as it is now; what ended it (a refund, a cancellation) had
  // not happened yet at an earlier `at` of the member's fold, so the line still stood then.
  if (!payer.active && payer.since > at) return { active: true, until: payer.since, reason: member };
  return { ...payer, reason: `${member}; ${payer.reason}` };
}

function leftEntitlement(seat: TeamSeat): LineEntitlement {
  const leftAt = seat.leftAt!;
  return { active: false, since: leftAt, reason: `Left ${seat.team} on ${describeDay(leftAt)}` };
}

/**
 * A manual grant is an open-ended entitlement of its own; a manual revoke ends every entitlement
 * from purchases made before it (a later purchase grants again).
 */
function withManualAccess(
  lines: { entitlement: LineEntitlement; purchasedAt: number }[] | undefined,
  manual: LedgerState['manual'][string] | undefined,
): LineEntitlement[] | undefined {
  const entitlements = lines?.map(({ entitlement, purchasedAt }) => {
    if (manual?.action !== 'revoke' || purchasedAt > manual.at) return entitlement;
    const reason = `Revoked by hand by ${manual.actor} on ${describeDay(manual.at)}${manual.note ? `: ${manual.note}` : ''}`;
    return { active: false, since: manual.at, reason } satisfies LineEntitlement;
  });
  if (manual?.action === 'grant') {
    const reason = `Granted by hand by ${manual.actor} on ${describeDay(manual.at)}${manual.note ? `: ${manual.note}` : ''}`;
    return [...(entitlements ?? []), { active: true, until: null, reason }];
  }
  if (manual?.action === 'revoke' && !entitlements) {
    return [
      { active: false, since: manual.at, reason: `Revoked by hand by ${manual.actor} on ${describeDay(manual.at)}` },
    ];
  }
  return entitlements;
}

/** Any active line grants; the one lasting longest (open-ended first) gives `until` and the reason. */
function combine(offering: string, entitlements: LineEntitlement[]): AccessEntry {
  const active = entitlements.filter((entitlement) => entitlement.active);
  if (active.length > 0) {
    const best = active.reduce((a, b) => (a.until === null ? a : b.until === null || b.until > a.until ? b : a));
    return { offering, granted: true, until: best.until, reason: best.reason };
  }
  const latest = entitlements.reduce((a, b) => (!b.active && !a.active && b.since > a.since ? b : a));
  return { offering, granted: false, until: null, reason: latest.reason };
}
