import type { ItemKey } from '../../core/events.ts';
import type { LineRecord, SubscriptionRecord } from '../../core/ledger/state.ts';
import type { Queryable } from './database.ts';

/** One team pool as stored (migration 020); seats are purchased_seats + seats_adjustment, never below 0. */
export interface PoolRow {
  id: number;
  orderId: string;
  item: ItemKey;
  payerContactId: number | null;
  leaderContactId: number | null;
  purchasedSeats: number;
  seatsAdjustment: number;
  createdAt: number;
  updatedAt: number;
}

const POOL_COLUMNS = `id, order_id, item, payer_contact_id, leader_contact_id, purchased_seats, seats_adjustment,
  (extract(epoch from created_at) * 1000)::float8 as created_at, (extract(epoch from updated_at) * 1000)::float8 as updated_at`;

interface RawPool {
  id: number;
  order_id: string;
  item: ItemKey;
  payer_contact_id: number | null;
  leader_contact_id: number | null;
  purchased_seats: number;
  seats_adjustment: number;
  created_at: number;
  updated_at: number;
}

function toPool(row: RawPool): PoolRow {
  return {
    id: row.id,
    orderId: row.order_id,
    item: row.item,
    payerContactId: row.payer_contact_id,
    leaderContactId: row.leader_contact_id,
    purchasedSeats: row.purchased_seats,
    seatsAdjustment: row.seats_adjustment,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Creates the pool of a purchased team line, or updates its purchased seats (and its payer, after
 * a merge of two contacts). The leader of a new pool is its payer. `opened` says it was created.
 */
export async function upsertPool(
  db: Queryable,
  pool: { orderId: string; item: ItemKey; payerContactId: number; purchasedSeats: number },
  now: number,
): Promise<{ id: number; opened: boolean }> {
  const result = await db.query<{ id: number; opened: boolean }>(
    `insert into team_pools (order_id, item, payer_contact_id, leader_contact_id, purchased_seats, created_at, updated_at)
       values ($1, $2, $3, $3, $4, to_timestamp($5 / 1000.0), to_timestamp($5 / 1000.0))
     on conflict (order_id, item) do update set purchased_seats = excluded.purchased_seats,
       payer_contact_id = excluded.payer_contact_id,
       leader_contact_id = coalesce(team_pools.leader_contact_id, excluded.leader_contact_id),
       updated_at = case when team_pools.purchased_seats = excluded.purchased_seats
                           and team_pools.payer_contact_id is not distinct from excluded.payer_contact_id
                         then team_pools.updated_at else excluded.updated_at end
     returning id, (xmax = 0) as opened`,
    [pool.orderId, pool.item, pool.payerContactId, pool.purchasedSeats, now],
  );
  return result.rows[0]!;
}

export async function findPool(db: Queryable, poolId: number): Promise<PoolRow | null> {
  const result = await db.query<RawPool>(`select ${POOL_COLUMNS} from team_pools where id = $1`, [poolId]);
  return result.rows[0] ? toPool(result.rows[0]) : null;
}

/** Reads a pool and locks it until the transaction ends: one change of a pool's seats at a time. */
export async function lockPool(db: Queryable, poolId: number): Promise<PoolRow | null> {
  const result = await db.query<RawPool>(`select ${POOL_COLUMNS} from team_pools where id = $1 for update`, [poolId]);
  return result.rows[0] ? toPool(result.rows[0]) : null;
}

/** Pools, oldest first; with `leaderContactId` or `payerContactId` only those led or paid by that contact. */
export async function listPools(
  db: Queryable,
  filter: { leaderContactId?: number; payerContactId?: number } = {},
): Promise<PoolRow[]> {
  const result = await db.query<RawPool>(
    `select ${POOL_COLUMNS} from team_pools
      where ($1::bigint is null or leader_contact_id = $1) and ($2::bigint is null or payer_contact_id = $2)
      order by created_at, id`,
    [filter.leaderContactId ?? null, filter.payerContactId ?? null],
  );
  return result.rows.map(toPool);
}

/** One membership of a pool: a seat held now (leftAt null) or held before. */
export interface MemberRow {
  poolId: number;
  contactId: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
  joinedAt: number;
  leftAt: number | null;
}

const MEMBER_COLUMNS = `m.pool_id, m.contact_id, c.email, c.first_name, c.last_name,
  (extract(epoch from m.joined_at) * 1000)::float8 as joined_at, (extract(epoch from m.left_at) * 1000)::float8 as left_at`;

interface RawMember {
  pool_id: number;
  contact_id: number;
  email: string;
  first_name: string | null;
  last_name: string | null;
  joined_at: number;
  left_at: number | null;
}

function toMember(row: RawMember): MemberRow {
  return {
    poolId: row.pool_id,
    contactId: row.contact_id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    joinedAt: row.joined_at,
    leftAt: row.left_at,
  };
}

/** The members of some pools, by the order they joined; with `current` only those holding a seat now. */
export async function listMembers(
  db: Queryable,
  poolIds: readonly number[],
  options: { current: boolean },
): Promise<MemberRow[]> {
  const result = await db.query<RawMember>(
    `select ${MEMBER_COLUMNS} from team_members m join contacts c on c.id = m.contact_id
      where m.pool_id = any($1::bigint[]) and ($2::boolean is false or m.left_at is null)
      order by m.pool_id, m.joined_at, m.id`,
    [poolIds, options.current],
  );
  return result.rows.map(toMember);
}

/** Every membership of one contact, current and past. */
export async function membershipsOf(db: Queryable, contactId: number): Promise<MemberRow[]> {
  const result = await db.query<RawMember>(
    `select ${MEMBER_COLUMNS} from team_members m join contacts c on c.id = m.contact_id
      where m.contact_id = $1 order by m.joined_at, m.id`,
    [contactId],
  );
  return result.rows.map(toMember);
}

/** Gives a contact a seat; false when they already hold one in this pool. */
export async function insertMember(db: Queryable, poolId: number, contactId: number, now: number): Promise<boolean> {
  const result = await db.query(
    `insert into team_members (pool_id, contact_id, joined_at) values ($1, $2, to_timestamp($3 / 1000.0))
     on conflict (pool_id, contact_id) where left_at is null do nothing`,
    [poolId, contactId, now],
  );
  return result.rowCount === 1;
}

/** Ends a contact's seat in a pool; false when they held none. */
export async function endMembership(db: Queryable, poolId: number, contactId: number, now: number): Promise<boolean> {
  const result = await db.query(
    `update team_members set left_at = greatest(joined_at, to_timestamp($3 / 1000.0))
      where pool_id = $1 and contact_id = $2 and left_at is null`,
    [poolId, contactId, now],
  );
  return result.rowCount === 1;
}

export async function setSeatsAdjustment(
  db: Queryable,
  poolId: number,
  adjustment: number,
  now: number,
): Promise<void> {
  await db.query(`update team_pools set seats_adjustment = $2, updated_at = to_timestamp($3 / 1000.0) where id = $1`, [
    poolId,
    adjustment,
    now,
  ]);
}

export async function setLeader(db: Queryable, poolId: number, leaderContactId: number, now: number): Promise<void> {
  await db.query(`update team_pools set leader_contact_id = $2, updated_at = to_timestamp($3 / 1000.0) where id = $1`, [
    poolId,
    leaderContactId,
    now,
  ]);
}

export type TeamAction = 'opened' | 'member_added' | 'member_removed' | 'member_left' | 'resized' | 'leader_moved';
export type TeamActorKind = 'purchase' | 'admin' | 'leader' | 'member' | 'erasure';

/** One line of a pool's audit trail. People appear as contact ids only, so an erasure leaves nothing readable. */
export interface TeamEventRow {
  poolId: number;
  at: number;
  action: TeamAction;
  actorKind: TeamActorKind;
  /** The admin's name as they gave it; null for the others. */
  actorName: string | null;
  memberContactId: number | null;
  detail: Record<string, unknown>;
}

export async function insertTeamEvent(db: Queryable, event: TeamEventRow): Promise<void> {
  await db.query(
    `insert into team_events (pool_id, at, action, actor_kind, actor_name, member_contact_id, detail)
     values ($1, to_timestamp($2 / 1000.0), $3, $4, $5, $6, $7)`,
    [
      event.poolId,
      event.at,
      event.action,
      event.actorKind,
      event.actorName,
      event.memberContactId,
      JSON.stringify(event.detail),
    ],
  );
}

export async function listTeamEvents(db: Queryable, poolId: number): Promise<TeamEventRow[]> {
  const result = await db.query<{
    pool_id: number;
    at: number;
    action: TeamAction;
    actor_kind: TeamActorKind;
    actor_name: string | null;
    member_contact_id: number | null;
    detail: Record<string, unknown>;
  }>(
    `select pool_id, (extract(epoch from at) * 1000)::float8 as at, action, actor_kind, actor_name, member_contact_id, detail
       from team_events where pool_id = $1 order by at, id`,
    [poolId],
  );
  return result.rows.map((row) => ({
    poolId: row.pool_id,
    at: row.at,
    action: row.action,
    actorKind: row.actor_kind,
    actorName: row.actor_name,
    memberContactId: row.member_contact_id,
    detail: row.detail,
  }));
}

/**
 * What a member's fold needs about each seat they hold or held: the pool, who leads it, and the
 * payer's line and subscription as the payer's stored ledger holds them (null when the payer is
 * gone or the line is unknown to their ledger).
 */
export interface SeatFacts {
  poolId: number;
  orderId: string;
  item: ItemKey;
  leaderFirstName: string | null;
  leaderLastName: string | null;
  leaderEmail: string | null;
  joinedAt: number;
  leftAt: number | null;
  line: LineRecord | null;
  subscription: SubscriptionRecord | null;
}

export async function loadSeatFacts(db: Queryable, contactId: number): Promise<SeatFacts[]> {
  const result = await db.query<{
    pool_id: number;
    order_id: string;
    item: ItemKey;
    leader_first_name: string | null;
    leader_last_name: string | null;
    leader_email: string | null;
    joined_at: number;
    left_at: number | null;
    line: LineRecord | null;
    subscription: SubscriptionRecord | null;
  }>(
    `select p.id as pool_id, p.order_id, p.item,
            leader.first_name as leader_first_name, leader.last_name as leader_last_name, leader.email as leader_email,
            (extract(epoch from m.joined_at) * 1000)::float8 as joined_at, (extract(epoch from m.left_at) * 1000)::float8 as left_at,
            payer.ledger -> 'state' -> 'lines' -> (p.order_id || ':' || p.item) as line,
            payer.ledger -> 'state' -> 'subscriptions' -> (p.order_id || ':' || p.item) as subscription
       from team_members m
       join team_pools p on p.id = m.pool_id
       left join contacts payer on payer.id = p.payer_contact_id
       left join contacts leader on leader.id = p.leader_contact_id
      where m.contact_id = $1
      order by m.joined_at, m.id`,
    [contactId],
  );
  return result.rows.map((row) => ({
    poolId: row.pool_id,
    orderId: row.order_id,
    item: row.item,
    leaderFirstName: row.leader_first_name,
    leaderLastName: row.leader_last_name,
    leaderEmail: row.leader_email,
    joinedAt: row.joined_at,
    leftAt: row.left_at,
    line: row.line,
    subscription: row.subscription,
  }));
}

/** Contacts holding a seat now in a pool some contact pays for: they follow that contact's ledger. */
export async function currentMembersOfPayer(db: Queryable, payerContactId: number): Promise<number[]> {
  const result = await db.query<{ contact_id: number }>(
    `select distinct m.contact_id from team_members m join team_pools p on p.id = m.pool_id
      where p.payer_contact_id = $1 and m.left_at is null order by m.contact_id`,
    [payerContactId],
  );
  return result.rows.map((row) => row.contact_id);
}

/** Contacts holding a seat now in any pool (replay re-folds them after every payer). */
export async function allCurrentMembers(db: Queryable): Promise<number[]> {
  const result = await db.query<{ contact_id: number }>(
    `select distinct contact_id from team_members where left_at is null order by contact_id`,
  );
  return result.rows.map((row) => row.contact_id);
}

/** Ends every seat a contact holds now; returns the pools they left. */
export async function endMembershipsOf(db: Queryable, contactId: number, now: number): Promise<number[]> {
  const result = await db.query<{ pool_id: number }>(
    `update team_members set left_at = greatest(joined_at, to_timestamp($2 / 1000.0))
      where contact_id = $1 and left_at is null returning pool_id`,
    [contactId, now],
  );
  return result.rows.map((row) => row.pool_id);
}

/** Ends every seat of the pools a contact pays for; returns who held them, by pool. */
export async function endSeatsOfPayer(
  db: Queryable,
  payerContactId: number,
  now: number,
): Promise<{ poolId: number; contactId: number }[]> {
  const result = await db.query<{ pool_id: number; contact_id: number }>(
    `update team_members m set left_at = greatest(m.joined_at, to_timestamp($2 / 1000.0))
       from team_pools p
      where p.id = m.pool_id and p.payer_contact_id = $1 and m.left_at is null and m.contact_id <> $1
      returning m.pool_id, m.contact_id`,
    [payerContactId, now],
  );
  return result.rows.map((row) => ({ poolId: row.pool_id, contactId: row.contact_id }));
}

/** Leaves the pools a contact leads without a leader; returns them. */
export async function clearLeader(db: Queryable, contactId: number, now: number): Promise<number[]> {
  const result = await db.query<{ id: number }>(
    `update team_pools set leader_contact_id = null, updated_at = to_timestamp($2 / 1000.0)
      where leader_contact_id = $1 returning id`,
    [contactId, now],
  );
  return result.rows.map((row) => row.id);
}
