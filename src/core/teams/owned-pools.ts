import type { ItemConfig } from '../../config/schema.ts';
import { lineEntitlement } from '../access/line-entitlement.ts';
import type { ItemKey } from '../events.ts';
import type { LedgerRules } from '../ledger/rules.ts';
import type { LedgerState, LineRecord } from '../ledger/state.ts';

/** Where some of a pool's seats come from, in words a person reads. */
export interface SeatSource {
  orderId: string;
  item: ItemKey;
  seats: number;
  why: string;
}

/** A pool a payer's ledger owns: one purchased line of a team item. */
export interface OwnedPool {
  orderId: string;
  item: ItemKey;
  /** When the team line was bought. */
  purchasedAt: number;
  /** Seats bought: the team line's, plus extra-seat items bought since (while they stand). */
  purchasedSeats: number;
  sources: SeatSource[];
}

/**
 * The pools a payer's ledger owns at `at`, with the seats they bought: a team line's seats (per
 * pricing option when configured so) times its quantity, plus every `addsSeats` line of the same
 * order or of a later one whose entitlement still stands (a refunded "+5 seats" bump takes its
 * seats back; nobody is evicted by that, docs/teams.md).
 */
export function poolsOwnedBy(state: LedgerState, rules: LedgerRules, at: number): OwnedPool[] {
  const lines = Object.values(state.lines);
  const pools = lines
    .filter((line) => rules.items.get(line.item)?.team !== undefined)
    .sort((a, b) => a.purchasedAt - b.purchasedAt || a.orderId.localeCompare(b.orderId))
    .map((line) => {
      const source = teamLineSeats(line, rules.items.get(line.item)!);
      return {
        orderId: line.orderId,
        item: line.item,
        purchasedAt: line.purchasedAt,
        purchasedSeats: source.seats,
        sources: [source],
        line,
      };
    });
  for (const extra of lines) {
    const adds = rules.items.get(extra.item)?.addsSeats;
    if (adds === undefined) continue;
    const pool = poolForExtraSeats(pools, extra, adds.to as ItemKey);
    if (!pool) continue;
    const quantity = extra.quantity ?? 1;
    const seats = adds.seats * quantity;
    const entitlement = lineEntitlement(state, extra, rules, at);
    const label = `${extra.name} (${extra.item}, order ${extra.orderId})`;
    if (entitlement.active) {
      pool.purchasedSeats += seats;
      pool.sources.push({ orderId: extra.orderId, item: extra.item, seats, why: `${label}: +${seats} seats` });
    } else {
      pool.sources.push({
        orderId: extra.orderId,
        item: extra.item,
        seats: 0,
        why: `${label}: its ${seats} seats no longer count (${entitlement.reason})`,
      });
    }
  }
  return pools.map(({ line: _line, ...pool }) => pool);
}

/** The team line's own seats; an unlisted pricing option gets the smallest configured number, and says so. */
function teamLineSeats(line: LineRecord, item: ItemConfig): SeatSource {
  const configured = item.team!.seats;
  const quantity = line.quantity ?? 1;
  const label = `${line.name} (${line.item}, order ${line.orderId})`;
  const times = quantity === 1 ? '' : ` × ${quantity}`;
  if (typeof configured === 'number') {
    return {
      orderId: line.orderId,
      item: line.item,
      seats: configured * quantity,
      why: `${label}: ${configured} seats${times}`,
    };
  }
  const listed = line.pricingOptionId === undefined ? undefined : configured[line.pricingOptionId];
  if (listed !== undefined) {
    return {
      orderId: line.orderId,
      item: line.item,
      seats: listed * quantity,
      why: `${label}: ${listed} seats for pricing option ${line.pricingOptionId}${times}`,
    };
  }
  const fallback = Math.min(...Object.values(configured));
  const option = line.pricingOptionId === undefined ? 'no pricing option' : `pricing option ${line.pricingOptionId}`;
  return {
    orderId: line.orderId,
    item: line.item,
    seats: fallback * quantity,
    why: `${label}: ${fallback} seats${times} (the purchase has ${option}, not listed under team.seats, so the smallest listed number)`,
  };
}

/** Extra seats go to the pool of the same order, else to the latest one bought before them. */
function poolForExtraSeats<Pool extends { orderId: string; item: ItemKey; line: LineRecord }>(
  pools: Pool[],
  extra: LineRecord,
  to: ItemKey,
): Pool | undefined {
  const candidates = pools.filter((pool) => pool.item === to);
  return (
    candidates.find((pool) => pool.orderId === extra.orderId) ??
    candidates.filter((pool) => pool.line.purchasedAt <= extra.purchasedAt).at(-1)
  );
}
