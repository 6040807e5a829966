/**
 * Compares what ThriveCart's API says happened with the ledger, and reports what no webhook told
 * Handoff: ThriveCart warns that refunds and cancellations made in Stripe or PayPal may send no
 * event, and webhooks can be lost. `fix` applies the missing events, each recorded with its
 * source (`thrivecart-api`), quietly, as the import does.
 */
import {
  IMPORT_SOURCES,
  buyersToLookUp,
  importedHistory,
  type ImportedEvent,
} from '../../adapters/sources/thrivecart/api-history.ts';
import type { ApiCustomer, ApiTransaction, ThriveCartApi } from '../../adapters/sources/thrivecart/api-client.ts';
import { finishReconcileRun, startReconcileRun } from '../../adapters/store/thrivecart-reconciles.ts';
import { findContactByEmail } from '../../adapters/store/contacts.ts';
import { loadHistory } from '../../adapters/store/deliveries.ts';
import { historyThatCounts } from '../intake/simulated-delivery.ts';
import { subscriptionKey, type CommerceEvent } from '../../core/events.ts';
import { whyNotApplied } from '../../core/ledger/applicability.ts';
import { describeEvent } from '../../core/ledger/describe-event.ts';
import type { HistoryEntry } from '../../core/ledger/fold.ts';
import type { LedgerState } from '../../core/ledger/state.ts';
import type { AppContext } from '../context.ts';
import { applyPerson, type ImportProgress } from './import-history.ts';
import { describeWindow, walkTransactions, WHOLE_HISTORY, type HistoryWindow } from './history-window.ts';

export interface ReconcileFinding {
  email: string;
  kind: CommerceEvent['kind'];
  orderId: string;
  /** What ThriveCart says happened, in the timeline's words. */
  summary: string;
  at: number;
}

export interface ReconcileReport {
  findings: ReconcileFinding[];
  fixed: boolean;
  /** The dates looked at, in words. */
  window: string;
}

/**
 * Reconciles the transactions of `window` (and their buyers' subscriptions) with the ledger,
 * records the run and what it found (the latest is shown in Problems), and applies the missing
 * events when `fix` is set. A run that stops (the API failing) is recorded with why, and rethrown.
 */
export async function reconcileWithThriveCart(
  ctx: AppContext,
  api: ThriveCartApi,
  options: { fix: boolean; window?: HistoryWindow; progress?: ImportProgress },
): Promise<ReconcileReport> {
  const window = options.window ?? WHOLE_HISTORY;
  const runId = await startReconcileRun(ctx.pool, window, options.fix, ctx.clock.now());
  try {
    const findings = await findAndFix(ctx, api, window, options);
    await finishReconcileRun(ctx.pool, runId, { findings }, ctx.clock.now());
    return { findings, fixed: options.fix, window: describeWindow(window) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await finishReconcileRun(ctx.pool, runId, { error: message }, ctx.clock.now());
    throw error;
  }
}

async function findAndFix(
  ctx: AppContext,
  api: ThriveCartApi,
  window: HistoryWindow,
  options: { fix: boolean; progress?: ImportProgress },
): Promise<ReconcileFinding[]> {
  const transactions: ApiTransaction[] = [];
  await walkTransactions(api, window, 1, async (page, rows) => {
    transactions.push(...rows);
    options.progress?.({ phase: 'transactions', done: page, total: null });
  });
  const customers = new Map<string, ApiCustomer | null>();
  const buyers = buyersToLookUp(transactions);
  for (const [index, email] of buyers.entries()) {
    customers.set(email, await api.customer(email));
    options.progress?.({ phase: 'customers', done: index + 1, total: buyers.length });
  }
  const findings: ReconcileFinding[] = [];
  for (const person of importedHistory(transactions, customers).people) {
    const contact = await findContactByEmail(ctx.pool, person.customer.email);
    const history = contact ? historyThatCounts(await loadHistory(ctx.pool, contact.id)).history : [];
    const state = contact?.ledger?.state ?? null;
    const missing = person.events.filter(
      (entry) => whyNotApplied(entry.event, ctx.rules, 'process') === null && isMissing(entry, state, history),
    );
    if (missing.length === 0) continue;
    for (const { event } of missing) {
      findings.push({
        email: person.customer.email,
        kind: event.kind,
        orderId: 'orderId' in event ? event.orderId : '',
        summary: describeEvent(event, ctx.rules),
        at: event.occurredAt,
      });
    }
    if (options.fix) await applyPerson(ctx, { customer: person.customer, events: missing }, IMPORT_SOURCES.api);
  }
  return findings;
}

/** Whether the ledger lacks what this event says (by meaning, not by key: the webhook may have said it). */
function isMissing({ event }: ImportedEvent, state: LedgerState | null, history: readonly HistoryEntry[]): boolean {
  switch (event.kind) {
    case 'purchase':
      return event.items.some((item) => !state?.lines[subscriptionKey(event.orderId, item.item)]);
    case 'renewal':
    case 'refund':
      return !history.some(
        ({ event: known }) =>
          known.kind === event.kind &&
          known.orderId === event.orderId &&
          known.item === event.item &&
          known.occurredAt === event.occurredAt &&
          known.amountCents === event.amountCents,
      );
    case 'cancellation': {
      const status = state?.subscriptions[subscriptionKey(event.orderId, event.item)]?.status;
      return status !== 'cancelled' && status !== 'completed';
    }
    case 'paused':
      return state?.subscriptions[subscriptionKey(event.orderId, event.item)]?.status !== 'paused';
    default:
      return false;
  }
}
