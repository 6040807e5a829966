import type { Fields } from '../../adapters/sources/thrivecart/parse-body.ts';
import { staysInsideHandoff } from '../../adapters/sources/thrivecart/simulated.ts';
import type { StoredHistoryEntry } from '../../adapters/store/deliveries.ts';
import type { HistoryEntry } from '../../core/ledger/fold.ts';
import type { AppContext } from '../context.ts';

/**
 * The context a delivery is applied in. A delivery `handoff simulate` made without --live is
 * applied like any other, so the ledger and the console show what it would do, but in a context
 * that starts nothing outside Handoff: no CRM or AccessAlly sync, no dunning e-mail, no outbound
 * webhook (AppContext.insideHandoffOnly). A creator trying Handoff out on a configuration
 * connected to real systems never reaches them by surprise.
 */
export function contextForDelivery(ctx: AppContext, fields: Fields): AppContext {
  return staysInsideHandoff(fields) ? insideHandoffOnly(ctx) : ctx;
}

export function insideHandoffOnly(ctx: AppContext): AppContext {
  return { ...ctx, onContactChanged: [], insideHandoffOnly: true };
}

/** The part of a contact's stored history that counts, and whether it may reach real systems. */
export interface CountedHistory {
  /** What the ledger is folded from. */
  history: HistoryEntry[];
  /**
   * The person exists only through simulations (and changes by hand made to them): every re-fold
   * of them, a timer's or a replay's included, stays inside Handoff.
   */
  simulatedOnly: boolean;
}

/**
 * A simulation never reaches real systems, whatever comes after it. Once a real delivery (from
 * ThriveCart, an import or `simulate --live`) belongs to the person, their simulated deliveries
 * are left out of the history (they stay listed as deliveries): the CRMs, AccessAlly, dunning and
 * webhooks hear of the real purchases only. Until then the person is simulated only.
 */
export function historyThatCounts(entries: readonly StoredHistoryEntry[]): CountedHistory {
  const real = entries.some((entry) => entry.origin === 'real');
  const simulated = entries.some((entry) => entry.origin === 'simulated');
  return {
    history: real && simulated ? entries.filter((entry) => entry.origin !== 'simulated') : [...entries],
    simulatedOnly: simulated && !real,
  };
}

/**
 * Whether the stored ledger was folded from simulations only and `attachedId`, a real delivery,
 * ends that: nothing outside Handoff ever heard of the simulated state, so the change downstream is
 * measured from nothing (a real purchase of the very item simulated must still be synced).
 */
export function endsSimulation(entries: readonly StoredHistoryEntry[], attachedId: number | null): boolean {
  if (attachedId === null) return false;
  const before = historyThatCounts(entries.filter((entry) => entry.deliveryId !== attachedId));
  return before.simulatedOnly && !historyThatCounts(entries).simulatedOnly;
}
