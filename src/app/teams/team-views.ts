import { lineEntitlement } from '../../core/access/line-entitlement.ts';
import { subscriptionKey, type ItemKey } from '../../core/events.ts';
import { poolsOwnedBy, type SeatSource } from '../../core/teams/owned-pools.ts';
import { teamTag } from '../../core/teams/team-seat.ts';
import { findContactByEmail, findContactById, fullName, type ContactRow } from '../../adapters/store/contacts.ts';
import type { Queryable } from '../../adapters/store/database.ts';
import { findPool, listMembers, listPools, listTeamEvents, type PoolRow } from '../../adapters/store/teams.ts';
import type { AppContext } from '../context.ts';
import { describeTeam } from './team-seats.ts';

export interface TeamPerson {
  contactId: number;
  email: string;
  name: string | null;
}

/** One pool, everything needed to show it and explain it (docs/teams.md, "Service API"). */
export interface TeamView {
  id: number;
  orderId: string;
  item: ItemKey;
  /** The purchased line's name in the payer's ledger (the item key when unknown). */
  itemName: string;
  /** `Ada Lovelace's team (Team plan, order 9901)`, as members' reasons say it. */
  label: string;
  /** The tag every member carries while in the pool. */
  tag: string;
  /** Offering ids members get (the team item's grants). */
  offerings: string[];
  /** Seats now: purchasedSeats + seatsAdjustment, never below 0. */
  seats: number;
  purchasedSeats: number;
  /** Seats added (or taken away, negative) by hand with resizeTeam. */
  seatsAdjustment: number;
  seatsUsed: number;
  /** Seats left to give; 0 when the pool holds as many members as seats, or more after a resize. */
  seatsFree: number;
  /** Where the purchased seats come from, in words. */
  seatSources: SeatSource[];
  leaderTakesSeat: boolean;
  payer: TeamPerson | null;
  leader: TeamPerson | null;
  members: (TeamPerson & { joinedAt: string })[];
  /** The payer's line now, which every member's access is: granted or not, until when, why. */
  entitlement: { active: boolean; until: string | null; reason: string };
  openedAt: string;
}

export interface TeamHistoryEntry {
  at: string;
  action: string;
  /** `admin (Jo)`, `leader`, `member`, `purchase`, `erasure`. */
  actor: string;
  /** The member concerned (null when erased or not about a member). */
  member: TeamPerson | null;
  detail: Record<string, unknown>;
}

/** Pools, oldest first; with `leaderEmail` only those that person leads (none when unknown). */
export async function listTeams(ctx: AppContext, filter: { leaderEmail?: string } = {}): Promise<TeamView[]> {
  let leaderContactId: number | undefined;
  if (filter.leaderEmail !== undefined) {
    const leader = await findContactByEmail(ctx.pool, filter.leaderEmail);
    if (!leader) return [];
    leaderContactId = leader.id;
  }
  const pools = await listPools(ctx.pool, leaderContactId === undefined ? {} : { leaderContactId });
  return teamViews(ctx, ctx.pool, pools);
}

export async function getTeam(ctx: AppContext, id: number): Promise<TeamView | null> {
  const pool = await findPool(ctx.pool, id);
  if (!pool) return null;
  return (await teamViews(ctx, ctx.pool, [pool]))[0]!;
}

/** The pools a contact leads and the seats they hold (current and past), for `handoff contact` and the console. */
export async function teamsOfContact(
  ctx: AppContext,
  email: string,
): Promise<{ leads: TeamView[]; memberOf: { team: TeamView; joinedAt: string; leftAt: string | null }[] } | null> {
  const contact = await findContactByEmail(ctx.pool, email);
  if (!contact) return null;
  const led = await listPools(ctx.pool, { leaderContactId: contact.id });
  const seats = (contact.ledger?.state.teamSeats ?? []).slice();
  const poolIds = [...new Set(seats.map((seat) => seat.poolId))];
  const pools = (await Promise.all(poolIds.map((id) => findPool(ctx.pool, id)))).filter(
    (pool): pool is PoolRow => pool !== null,
  );
  const views = await teamViews(ctx, ctx.pool, [...led, ...pools]);
  const byId = new Map(views.map((view) => [view.id, view]));
  return {
    leads: led.map((pool) => byId.get(pool.id)!),
    memberOf: seats.flatMap((seat) => {
      const team = byId.get(seat.poolId);
      return team
        ? [{ team, joinedAt: iso(seat.joinedAt), leftAt: seat.leftAt === null ? null : iso(seat.leftAt) }]
        : [];
    }),
  };
}

/** A pool's audit trail, oldest first; null when the pool does not exist. */
export async function teamHistory(ctx: AppContext, id: number): Promise<TeamHistoryEntry[] | null> {
  if (!(await findPool(ctx.pool, id))) return null;
  const events = await listTeamEvents(ctx.pool, id);
  const people = await peopleByIds(
    ctx.pool,
    events.flatMap((event) => (event.memberContactId === null ? [] : [event.memberContactId])),
  );
  return events.map((event) => ({
    at: iso(event.at),
    action: event.action,
    actor: event.actorKind === 'admin' ? `admin (${event.actorName ?? 'unknown'})` : event.actorKind,
    member: event.memberContactId === null ? null : toPerson(people.get(event.memberContactId)),
    detail: event.detail,
  }));
}

export async function teamViews(ctx: AppContext, db: Queryable, pools: readonly PoolRow[]): Promise<TeamView[]> {
  if (pools.length === 0) return [];
  const members = await listMembers(
    db,
    pools.map((pool) => pool.id),
    { current: true },
  );
  const people = await peopleByIds(
    db,
    pools.flatMap((pool) => [pool.payerContactId, pool.leaderContactId].filter((id): id is number => id !== null)),
  );
  const payers = new Map<number, ContactRow>();
  for (const id of new Set(pools.flatMap((pool) => (pool.payerContactId === null ? [] : [pool.payerContactId])))) {
    const payer = await findContactById(db, id);
    if (payer) payers.set(id, payer);
  }
  const now = ctx.clock.now();
  return pools.map((pool) => {
    const payer = pool.payerContactId === null ? undefined : payers.get(pool.payerContactId);
    const state = payer?.ledger?.state;
    const line = state?.lines[subscriptionKey(pool.orderId, pool.item)];
    const owned = state
      ? poolsOwnedBy(state, ctx.rules, now).find(
          (candidate) => candidate.orderId === pool.orderId && candidate.item === pool.item,
        )
      : undefined;
    const entitlement =
      state && line
        ? lineEntitlement(state, line, ctx.rules, now)
        : { active: false as const, since: now, reason: 'The payer of this team is no longer known (erased)' };
    const leader = pool.leaderContactId === null ? null : (people.get(pool.leaderContactId) ?? null);
    const itemName = line?.name ?? pool.item;
    const seats = Math.max(0, pool.purchasedSeats + pool.seatsAdjustment);
    const poolMembers = members.filter((member) => member.poolId === pool.id);
    return {
      id: pool.id,
      orderId: pool.orderId,
      item: pool.item,
      itemName,
      label: describeTeam(
        {
          orderId: pool.orderId,
          leaderFirstName: leader?.firstName ?? null,
          leaderLastName: leader?.lastName ?? null,
        },
        itemName,
      ),
      tag: teamTag(pool.orderId, pool.item),
      offerings: ctx.rules.items.get(pool.item)?.grants ?? [],
      seats,
      purchasedSeats: pool.purchasedSeats,
      seatsAdjustment: pool.seatsAdjustment,
      seatsUsed: poolMembers.length,
      seatsFree: Math.max(0, seats - poolMembers.length),
      seatSources: owned?.sources ?? [],
      leaderTakesSeat: ctx.rules.items.get(pool.item)?.team?.leaderTakesSeat ?? false,
      payer: pool.payerContactId === null ? null : toPerson(people.get(pool.payerContactId)),
      leader: toPerson(leader ?? undefined),
      members: poolMembers.map((member) => ({
        contactId: member.contactId,
        email: member.email,
        name: fullName(member.firstName, member.lastName),
        joinedAt: iso(member.joinedAt),
      })),
      entitlement: entitlement.active
        ? {
            active: true,
            until: entitlement.until === null ? null : iso(entitlement.until),
            reason: entitlement.reason,
          }
        : { active: false, until: null, reason: entitlement.reason },
      openedAt: iso(pool.createdAt),
    };
  });
}

interface PersonRow {
  contactId: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
}

async function peopleByIds(db: Queryable, ids: readonly number[]): Promise<Map<number, PersonRow>> {
  const people = new Map<number, PersonRow>();
  for (const id of new Set(ids)) {
    const contact = await findContactById(db, id);
    if (contact)
      people.set(id, { contactId: id, email: contact.email, firstName: contact.firstName, lastName: contact.lastName });
  }
  return people;
}

function toPerson(row: PersonRow | undefined): TeamPerson | null {
  return row ? { contactId: row.contactId, email: row.email, name: fullName(row.firstName, row.lastName) } : null;
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
