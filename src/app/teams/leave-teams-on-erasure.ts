import type { Queryable } from '../../adapters/store/database.ts';
import {
  clearLeader,
  endMembershipsOf,
  endSeatsOfPayer,
  insertTeamEvent,
  listMembers,
  listPools,
} from '../../adapters/store/teams.ts';
import type { AppContext } from '../context.ts';
import { refreshContact } from '../ledger/refresh-contact.ts';

/**
 * Before a contact is erased, in the erasure's transaction: the seats they hold end (each freed at
 * once; the audit trail says "erasure" and names nobody); the pools they pay for end their
 * members' seats (those members lose the team's access now, with the reason); the pools they lead
 * lose their leader. Every member, past or present, of a pool they paid for or led is re-folded
 * while the payer's line can still be read, so no member's ledger keeps the erased person's name.
 * The pools stay, without payer or leader (migration 020).
 */
export async function leaveTeamsOnErasure(ctx: AppContext, db: Queryable, contactId: number): Promise<void> {
  const now = ctx.clock.now();
  const left = await endMembershipsOf(db, contactId, now);
  const ended = await endSeatsOfPayer(db, contactId, now);
  const led = await clearLeader(db, contactId, now);
  const events = [
    ...left.map((poolId) => ({ poolId, memberContactId: null, detail: {} })),
    ...ended.map((seat) => ({ poolId: seat.poolId, memberContactId: seat.contactId, detail: { payerErased: true } })),
  ];
  for (const event of events)
    await insertTeamEvent(db, { ...event, at: now, action: 'member_removed', actorKind: 'erasure', actorName: null });
  const paid = (await listPools(db, { payerContactId: contactId })).map((pool) => pool.id);
  const members = await listMembers(db, [...new Set([...paid, ...led])], { current: false });
  for (const member of new Set(members.map((row) => row.contactId)))
    if (member !== contactId) await refreshContact(ctx, db, member, null, { reloadTeamSeats: true });
}
