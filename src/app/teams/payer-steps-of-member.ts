import { loadHistory } from '../../adapters/store/deliveries.ts';
import type { Queryable } from '../../adapters/store/database.ts';
import { findPool } from '../../adapters/store/teams.ts';
import type { HistoryEntry } from '../../core/ledger/fold.ts';
import { payerStepsForSeat, type PayerStep } from '../../core/teams/payer-steps.ts';
import type { TeamSeat } from '../../core/teams/team-seat.ts';
import type { AppContext } from '../context.ts';

/**
 * For a member's timeline: the payer's steps on each team line while the member held the seat
 * (core/teams/payer-steps.ts). A pool whose payer was erased tells nothing more.
 */
export async function payerStepsOfMember(
  ctx: AppContext,
  db: Queryable,
  seats: readonly TeamSeat[],
): Promise<PayerStep[]> {
  const histories = new Map<number, HistoryEntry[]>();
  const steps: PayerStep[] = [];
  for (const seat of seats) {
    const payer = (await findPool(db, seat.poolId))?.payerContactId ?? null;
    if (payer === null) continue;
    if (!histories.has(payer)) histories.set(payer, await loadHistory(db, payer));
    const period = { orderId: seat.line.orderId, item: seat.line.item, ...seat };
    steps.push(...payerStepsForSeat(histories.get(payer)!, period, ctx.rules, ctx.clock.now()));
  }
  return steps;
}
