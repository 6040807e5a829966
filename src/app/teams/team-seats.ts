import type { TeamSeat } from '../../core/teams/team-seat.ts';
import { teamTag } from '../../core/teams/team-seat.ts';
import { fullName } from '../../adapters/store/contacts.ts';
import type { Queryable } from '../../adapters/store/database.ts';
import { loadSeatFacts, type SeatFacts } from '../../adapters/store/teams.ts';

/**
 * The seats a contact holds or held, each with the payer's line as the payer's ledger holds it now:
 * what the contact's fold needs (core/ledger/fold.ts). A seat whose payer is gone (erased) keeps
 * the line from `previous` (the contact's last fold), ended now if it was still held; one never
 * folded with a line is left out.
 */
export async function loadTeamSeats(
  db: Queryable,
  contactId: number,
  previous: readonly TeamSeat[],
  now: number,
): Promise<TeamSeat[]> {
  const facts = await loadSeatFacts(db, contactId);
  return facts.flatMap((seat) => {
    const before = previous.find(
      (candidate) => candidate.poolId === seat.poolId && candidate.joinedAt === seat.joinedAt,
    );
    const line = seat.line ?? before?.line;
    if (!line) return [];
    return [
      {
        poolId: seat.poolId,
        tag: teamTag(seat.orderId, seat.item),
        team: describeTeam(seat, line.name),
        joinedAt: seat.joinedAt,
        leftAt: seat.line === null ? (seat.leftAt ?? now) : seat.leftAt,
        line,
        subscription: seat.line === null ? (before?.subscription ?? null) : seat.subscription,
      },
    ];
  });
}

/** `Ada Lovelace's team (Team plan, order 9901)`; without a leader's name, `the Team plan team (order 9901)`. */
export function describeTeam(
  pool: Pick<SeatFacts, 'orderId' | 'leaderFirstName' | 'leaderLastName'>,
  productName: string,
): string {
  const leader = fullName(pool.leaderFirstName, pool.leaderLastName);
  return leader === null
    ? `the ${productName} team (order ${pool.orderId})`
    : `${leader}'s team (${productName}, order ${pool.orderId})`;
}
