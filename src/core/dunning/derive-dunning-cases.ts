import { subscriptionKey, type ItemKey } from '../events.ts';
import { applyEvent } from '../ledger/apply-event.ts';
import { orderedHistory, type HistoryEntry } from '../ledger/fold.ts';
import { type LedgerRules, offeringName } from '../ledger/rules.ts';
import { emptyLedgerState, type LedgerState } from '../ledger/state.ts';
import type { DunningCase, ReminderStep } from './dunning-case.ts';
import { DAY_MS } from '../time.ts';

/**
 * Replays a contact's history, in the same event-time order as the ledger fold, and tells the
 * story of every failed charge as a dunning case, as it stands at `now`. Only items with a
 * dunning policy get cases. The ledger decides access and tags; this only narrates the same
 * facts per episode (opened at the ledger's `failingSince`, lost at the same grace boundary),
 * so the two can never disagree.
 */
export function deriveDunningCases(history: readonly HistoryEntry[], rules: LedgerRules, now: number): DunningCase[] {
  const state = emptyLedgerState();
  const cases: DunningCase[] = [];
  /** The case each subscription is in, while it may still change (open, or lost and payable). */
  const current = new Map<string, DunningCase>();
  const episodes = new Map<string, number>();

  const loseLapsedCases = (until: number): void => {
    for (const open of current.values()) {
      if (open.state === 'open' && open.graceEndsAt <= until) {
        open.state = 'lost';
        open.lostAt = open.graceEndsAt;
        open.closedAt = open.graceEndsAt;
      }
    }
  };

  for (const { event } of orderedHistory(history)) {
    loseLapsedCases(Math.min(event.occurredAt, now));
    applyEvent(state, event);
    if (event.kind !== 'payment_failed' && event.kind !== 'renewal' && event.kind !== 'cancellation') continue;
    const key = subscriptionKey(event.orderId, event.item);
    const existing = current.get(key);
    const at = event.occurredAt;
    switch (event.kind) {
      case 'payment_failed': {
        if (existing) {
          existing.failures = state.subscriptions[key]?.failures ?? existing.failures + 1;
          existing.amountDueCents = amountDue(state, key) ?? existing.amountDueCents;
          break;
        }
        const opened = openCase(state, key, event.item, rules, (episodes.get(key) ?? 0) + 1);
        if (!opened) break;
        episodes.set(key, opened.episode);
        current.set(key, opened);
        cases.push(opened);
        break;
      }
      case 'renewal': {
        if (!existing) break;
        existing.state = existing.state === 'lost' ? 'recovered-after-loss' : 'recovered';
        existing.closedAt = at;
        current.delete(key);
        break;
      }
      case 'cancellation': {
        if (!existing) break;
        // A cancellation after the loss changes nothing the customer lived through: still lost.
        if (existing.state === 'open') {
          existing.state = 'cancelled';
          existing.closedAt = at;
        }
        current.delete(key);
        break;
      }
    }
  }
  loseLapsedCases(now);
  return cases;
}

/** A new case for a subscription whose charge just started failing; null when it is not dunned. */
function openCase(
  state: LedgerState,
  key: string,
  item: ItemKey,
  rules: LedgerRules,
  episode: number,
): DunningCase | null {
  const policy = rules.dunning.get(item);
  const subscription = state.subscriptions[key];
  const line = state.lines[key];
  // Failures reported after a cancellation or the last instalment are not chased: nothing more is owed.
  if (!policy || !subscription || !line || subscription.failingSince === null) return null;
  if (subscription.status === 'cancelled' || subscription.status === 'completed') return null;
  const openedAt = subscription.failingSince;
  const graceEndsAt = openedAt + policy.graceDays * DAY_MS;
  return {
    subscriptionKey: key,
    episode,
    orderId: subscription.orderId,
    item,
    productName: productName(line.name, item, rules),
    state: 'open',
    openedAt,
    graceEndsAt,
    lostAt: null,
    closedAt: null,
    failures: subscription.failures,
    amountDueCents: amountDue(state, key),
    currency: state.orders[subscription.orderId]?.currency ?? 'USD',
    reminders: reminderSteps(policy.reminders, openedAt, graceEndsAt),
  };
}

/** The failing charge's amount, else the last successful charge of the same line. */
function amountDue(state: LedgerState, key: string): number | null {
  const fromFailure = state.subscriptions[key]?.amountDueCents ?? null;
  if (fromFailure !== null) return fromFailure;
  const lastCharge = state.lines[key]?.lastChargeCents ?? 0;
  return lastCharge > 0 ? lastCharge : null;
}

/** Days are sorted and de-duplicated; a reminder at or after the end of grace would come too late. */
function reminderSteps(days: readonly number[], openedAt: number, graceEndsAt: number): ReminderStep[] {
  return [...new Set(days)]
    .sort((a, b) => a - b)
    .map((day) => openedAt + day * DAY_MS)
    .filter((dueAt) => dueAt < graceEndsAt)
    .map((dueAt, index) => ({ number: index + 1, dueAt }));
}

/** A line seen only through a later event carries its item key as name; the offerings read better. */
function productName(lineName: string, item: ItemKey, rules: LedgerRules): string {
  if (lineName !== item) return lineName;
  const names = (rules.items.get(item)?.grants ?? []).map((id) => offeringName(rules, id));
  return names.length > 0 ? names.join(' + ') : item;
}
