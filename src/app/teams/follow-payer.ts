import type { LedgerProjection } from '../../core/ledger/fold.ts';
import { poolsOwnedBy } from '../../core/teams/owned-pools.ts';
import type { Queryable } from '../../adapters/store/database.ts';
import { enqueueJobs } from '../../adapters/jobs/enqueue-job.ts';
import { currentMembersOfPayer, insertMember, insertTeamEvent, upsertPool } from '../../adapters/store/teams.ts';
import type { AppContext } from '../context.ts';
import { refreshContact } from '../ledger/refresh-contact.ts';

/**
 * After a contact's own ledger was folded (the payer's): opens the pool of every team line it
 * bought (the leader is the payer; with leaderTakesSeat the payer also takes a seat), writes the
 * seats bought, then re-folds every member of the payer's pools with the payer's line as it now
 * stands, in the same transaction: a member's access never lags the payer's. Costs nothing for a
 * contact who bought no team item. A purchase that opens a pool asks for the leader's e-mail
 * (`onTeamOpened`), unless the fold is quiet (`announce: false`: an import, a replay).
 */
export async function followPayer(
  ctx: AppContext,
  db: Queryable,
  payerContactId: number,
  projection: LedgerProjection,
  options: { announce?: boolean } = {},
): Promise<void> {
  const now = ctx.clock.now();
  const owned = poolsOwnedBy(projection.state, ctx.rules, now);
  if (owned.length === 0) return;
  for (const pool of owned) {
    const { id, opened } = await upsertPool(db, { ...pool, payerContactId }, now);
    if (!opened) continue;
    await insertTeamEvent(db, {
      poolId: id,
      at: now,
      action: 'opened',
      actorKind: 'purchase',
      actorName: null,
      memberContactId: null,
      detail: { seats: pool.purchasedSeats, sources: pool.sources.map((source) => source.why) },
    });
    if (ctx.rules.items.get(pool.item)?.team?.leaderTakesSeat) {
      await insertMember(db, id, payerContactId, Math.min(pool.purchasedAt, now));
      await insertTeamEvent(db, {
        poolId: id,
        at: now,
        action: 'member_added',
        actorKind: 'purchase',
        actorName: null,
        memberContactId: payerContactId,
        detail: { leaderTakesSeat: true },
      });
    }
    // A quiet fold (an import of old history, a replay) opens the pool without e-mailing anyone.
    if (options.announce === false) continue;
    await enqueueJobs(
      db,
      (ctx.onTeamOpened ?? []).map((kind) => ({ kind, key: String(id), runAt: now })),
    );
  }
  for (const member of await currentMembersOfPayer(db, payerContactId)) {
    await refreshContact(ctx, db, member, null, { ...options, reloadTeamSeats: true });
  }
}
