import {
  listItemsSoldOutside,
  listRejectedDeliveries,
  listSilentSubscriptions,
  type RejectedDelivery,
  type SilentSubscription,
} from '../../adapters/store/delivery-problems.ts';
import { latestReconcileRun, type ReconcileRun } from '../../adapters/store/thrivecart-reconciles.ts';
import { describeDay } from '../../core/describe.ts';
import type { ItemKey } from '../../core/events.ts';
import type { AppContext } from '../context.ts';
import type { ReconcileFinding } from './reconcile-thrivecart.ts';

/** An item sold in an order Handoff applied, that the configuration does not map. */
export interface UnmappedItem {
  item: string;
  name: string;
  orders: number;
  latestOrderId: string;
  /** The line to add under `items:` (the offering is the creator's to choose). */
  configLine: string;
}

export interface DeliveryProblems {
  /** Authentic deliveries Handoff could not use, with what was missing; `handoff replay` applies them once fixed. */
  rejectedDeliveries: RejectedDelivery[];
  /** Bumps or upsells forgotten in the configuration: their buyers got nothing for them. */
  unmappedItems: UnmappedItem[];
  /** Subscriptions ThriveCart has said nothing about since their payment was due (thrivecart.silentAfterDays). */
  silentSubscriptions: (SilentSubscription & { message: string })[];
  /** What the latest reconcile with ThriveCart found and did not apply, or why it stopped; null when nothing is left to do. */
  reconcile: ReconcileProblem | null;
}

export interface ReconcileProblem {
  checkedAt: number;
  findings: ReconcileFinding[];
  /** Why the latest reconcile stopped, when it did. */
  error: string | null;
  fix: string;
}

export async function listDeliveryProblems(
  ctx: Pick<AppContext, 'pool' | 'rules' | 'clock'>,
): Promise<DeliveryProblems> {
  const [rejectedDeliveries, sold, silent, reconciled] = await Promise.all([
    listRejectedDeliveries(ctx.pool),
    listItemsSoldOutside(ctx.pool, [...ctx.rules.items.keys()]),
    listSilentSubscriptions(ctx.pool, ctx.clock.now() - ctx.rules.silentAfterMs),
    latestReconcileRun<ReconcileFinding>(ctx.pool),
  ]);
  const offering = ctx.rules.offerings.keys().next().value ?? 'your-offering-id';
  return {
    rejectedDeliveries,
    unmappedItems: sold.map((row) => ({
      item: row.item,
      name: row.name,
      orders: row.orders,
      latestOrderId: row.latestOrderId,
      configLine: `- { item: ${row.item}, grants: [${offering}] }   # ${row.name}`,
    })),
    silentSubscriptions: silent.map((row) => ({ ...row, message: silenceMessage(ctx, row) })),
    reconcile: reconcileProblem(reconciled),
  };
}

function reconcileProblem(run: ReconcileRun<ReconcileFinding> | null): ReconcileProblem | null {
  if (run === null || run.finishedAt === null) return null;
  if (run.error !== null)
    return {
      checkedAt: run.finishedAt,
      findings: [],
      error: run.error,
      fix: 'Check thrivecart.apiKey and ThriveCart, then run `npx handoff thrivecart reconcile` (or wait for the next scheduled check).',
    };
  if (run.fix || (run.findings ?? []).length === 0) return null;
  return {
    checkedAt: run.finishedAt,
    findings: run.findings ?? [],
    error: null,
    fix: 'Run `npx handoff thrivecart reconcile --fix`, or press "Apply what ThriveCart says" on the console\'s Problems page.',
  };
}

function silenceMessage(ctx: Pick<AppContext, 'rules'>, row: SilentSubscription): string {
  const keeps = ctx.rules.items.get(row.item as ItemKey)?.onSilence !== 'revoke';
  return `No word from ThriveCart about ${row.name} (${row.item}, order ${row.orderId}) for ${row.email}: its payment was due on ${describeDay(row.dueAt)} and no renewal, failure or cancellation came. ${
    keeps
      ? "Access continues meanwhile (the item's onSilence is keep)."
      : "Access ended (the item's onSilence is revoke)."
  } Check the subscription in ThriveCart, or run \`handoff thrivecart reconcile\`.`;
}
