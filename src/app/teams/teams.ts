/**
 * The team service: what the leader's page, the console, the API and the CLI call to change a
 * pool (docs/teams.md, "Service API"). Every change runs in one transaction that locks the payer's
 * contact, then the pool (the order the payer's own re-fold takes them in), records the change in
 * the pool's audit trail and re-folds the members it concerns, so their access and tags follow at
 * once; sites hear `team.member_added` / `team.member_removed`.
 */
import { normaliseEmail } from '../../core/email-address.ts';
import type { WebhookEventType } from '../../core/webhooks/webhook-event.ts';
import { findContactByEmail, insertContact, lockContact, type ContactRow } from '../../adapters/store/contacts.ts';
import { withTransaction, type Queryable } from '../../adapters/store/database.ts';
import {
  endMembership,
  findPool,
  insertMember,
  insertTeamEvent,
  listMembers,
  lockPool,
  setLeader,
  setSeatsAdjustment,
  type PoolRow,
  type TeamAction,
} from '../../adapters/store/teams.ts';
import type { AppContext } from '../context.ts';
import { refreshContact } from '../ledger/refresh-contact.ts';
import { newContactDetails } from '../intake/new-contact-plan.ts';
import { resolveContact } from '../intake/resolve-contact.ts';
import { personOf } from '../webhooks/person.ts';
import { recordWebhookEvent } from '../webhooks/record-webhook-event.ts';
import { enqueueJob } from '../../adapters/jobs/enqueue-job.ts';
import { memberEmailJobKey, TEAM_LEADER_EMAIL_JOB, TEAM_MEMBER_EMAIL_JOB } from './send-team-email.ts';
import type { TeamActor } from './team-actor.ts';
import { TeamError } from './team-errors.ts';
import { teamViews, type TeamView } from './team-views.ts';

/** Seats a pool has now: bought plus adjusted by hand, never below 0. */
export function seatsOf(pool: Pick<PoolRow, 'purchasedSeats' | 'seatsAdjustment'>): number {
  return Math.max(0, pool.purchasedSeats + pool.seatsAdjustment);
}

/**
 * Gives `email` a seat (creating the contact when the address is new). Refused with
 * `no_free_seat` when every seat is taken, `already_a_member` when they hold one.
 */
export async function addMember(ctx: AppContext, teamId: number, email: string, actor: TeamActor): Promise<TeamView> {
  const address = checkedEmail(email);
  return withTransaction(ctx.pool, async (db) => {
    const pool = await lockTeam(db, teamId);
    const now = ctx.clock.now();
    const used = (await listMembers(db, [pool.id], { current: true })).length;
    if (used >= seatsOf(pool))
      throw new TeamError(
        'no_free_seat',
        `team ${pool.id} has no free seat: ${used} member(s) for ${seatsOf(pool)} seat(s); remove a member or add seats first`,
      );
    const member = await findOrCreateContact(db, address, now);
    if (!(await insertMember(db, pool.id, member.id, now)))
      throw new TeamError('already_a_member', `${address} already holds a seat in team ${pool.id}`);
    // A link from an earlier seat must not open the team again; the leader keeps theirs.
    if (member.id !== pool.leaderContactId) await ctx.teamLinks.revoke(db, pool.id, member.id);
    await recordChange(db, pool.id, now, 'member_added', actor, member.id, {});
    await refreshContact(ctx, db, member.id, null, { reloadTeamSeats: true });
    await announceMember(ctx, db, 'team.member_added', pool, member, now);
    // They hear who added them, with their own link to the team page (to leave it).
    await enqueueJob(db, { kind: TEAM_MEMBER_EMAIL_JOB, key: memberEmailJobKey(pool.id, member.id), runAt: now });
    return (await teamViews(ctx, db, [(await findPool(db, pool.id))!]))[0]!;
  });
}

/**
 * Ends `email`'s seat: removed by the leader or an admin, or leaving (actor `member`). The seat is
 * free at once; the member keeps what they have of their own and loses the team's access.
 */
export async function removeMember(
  ctx: AppContext,
  teamId: number,
  email: string,
  actor: TeamActor,
): Promise<TeamView> {
  const address = checkedEmail(email);
  return withTransaction(ctx.pool, async (db) => {
    const pool = await lockTeam(db, teamId);
    const now = ctx.clock.now();
    const member = await findContactByEmail(db, address);
    if (!member || !(await endMembership(db, pool.id, member.id, now)))
      throw new TeamError('not_a_member', `${address} holds no seat in team ${pool.id}`);
    await recordChange(
      db,
      pool.id,
      now,
      actor.kind === 'member' ? 'member_left' : 'member_removed',
      actor,
      member.id,
      {},
    );
    await refreshContact(ctx, db, member.id, null, { reloadTeamSeats: true });
    await announceMember(ctx, db, 'team.member_removed', pool, member, now);
    return (await teamViews(ctx, db, [(await findPool(db, pool.id))!]))[0]!;
  });
}

/**
 * Sets the pool's seats to `seats` by adjusting what was bought (seats bought later still add
 * on top). Lowering below the members evicts nobody: no one can be added until enough leave.
 */
export async function resizeTeam(ctx: AppContext, teamId: number, seats: number, actor: TeamActor): Promise<TeamView> {
  if (!Number.isInteger(seats) || seats < 0 || seats > 10_000)
    throw new TeamError('invalid', `expected a number of seats from 0 to 10000, got ${String(seats)}`);
  return withTransaction(ctx.pool, async (db) => {
    const pool = await lockTeam(db, teamId);
    const now = ctx.clock.now();
    await setSeatsAdjustment(db, pool.id, seats - pool.purchasedSeats, now);
    await recordChange(db, pool.id, now, 'resized', actor, null, {
      from: seatsOf(pool),
      to: seats,
      purchased: pool.purchasedSeats,
    });
    return (await teamViews(ctx, db, [(await findPool(db, pool.id))!]))[0]!;
  });
}

/**
 * Makes `email` the pool's leader (creating the contact when new), without a new purchase: they
 * manage the seats from then on; the payer still pays, and access still follows the payer's line.
 * When the leader takes a seat (leaderTakesSeat), the seat moves with the role: the old leader's
 * seat ends and the new leader gets one (refused with `no_free_seat` when the old leader held
 * none and the pool is full). Every member is re-folded: their reasons name the new leader.
 */
export async function moveLeader(
  ctx: AppContext,
  teamId: number,
  newLeaderEmail: string,
  actor: TeamActor,
): Promise<TeamView> {
  const address = checkedEmail(newLeaderEmail);
  return withTransaction(ctx.pool, async (db) => {
    const pool = await lockTeam(db, teamId);
    const now = ctx.clock.now();
    const leader = await findOrCreateContact(db, address, now);
    if (leader.id === pool.leaderContactId) return (await teamViews(ctx, db, [pool]))[0]!;
    await setLeader(db, pool.id, leader.id, now);
    // A leader given the role back gets a new link: the one from their earlier turn stays dead.
    await ctx.teamLinks.revoke(db, pool.id, leader.id);
    // The new leader gets their link; the old leader's opens nothing now (app/teams/team-page.ts).
    await enqueueJob(db, { kind: TEAM_LEADER_EMAIL_JOB, key: String(pool.id), runAt: now });
    await recordChange(db, pool.id, now, 'leader_moved', actor, leader.id, { fromContactId: pool.leaderContactId });
    const touched = new Set<number>();
    if (ctx.rules.items.get(pool.item)?.team?.leaderTakesSeat) {
      const members = await listMembers(db, [pool.id], { current: true });
      const oldLeaderSeated = members.some((member) => member.contactId === pool.leaderContactId);
      const newLeaderSeated = members.some((member) => member.contactId === leader.id);
      if (!newLeaderSeated && !oldLeaderSeated && members.length >= seatsOf(pool))
        throw new TeamError(
          'no_free_seat',
          `the leader takes a seat in team ${pool.id} and none is free; remove a member or add seats first`,
        );
      if (oldLeaderSeated && pool.leaderContactId !== null) {
        await endMembership(db, pool.id, pool.leaderContactId, now);
        await recordChange(db, pool.id, now, 'member_removed', actor, pool.leaderContactId, { leaderMoved: true });
        touched.add(pool.leaderContactId);
      }
      if (!newLeaderSeated) {
        await insertMember(db, pool.id, leader.id, now);
        await recordChange(db, pool.id, now, 'member_added', actor, leader.id, { leaderMoved: true });
      }
    }
    for (const member of await listMembers(db, [pool.id], { current: true })) touched.add(member.contactId);
    for (const contactId of touched) await refreshContact(ctx, db, contactId, null, { reloadTeamSeats: true });
    return (await teamViews(ctx, db, [(await findPool(db, pool.id))!]))[0]!;
  });
}

/** Locks the payer's contact, then the pool: the order a payer's re-fold takes them in (no deadlock). */
async function lockTeam(db: Queryable, teamId: number): Promise<PoolRow> {
  if (!Number.isSafeInteger(teamId) || teamId <= 0) throw new TeamError('team_not_found', `no team ${String(teamId)}`);
  const found = await findPool(db, teamId);
  if (!found) throw new TeamError('team_not_found', `no team ${teamId}`);
  if (found.payerContactId !== null) await lockContact(db, found.payerContactId);
  return (await lockPool(db, teamId))!;
}

function checkedEmail(email: string): string {
  const address = normaliseEmail(email);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address) || address.length > 254)
    throw new TeamError('invalid', `expected an e-mail address such as ada@example.com, got "${email}"`);
  return address;
}

/** The person with this address, or a new contact for them; an erased address is refused. */
async function findOrCreateContact(db: Queryable, email: string, now: number): Promise<ContactRow> {
  const customer = { thrivecartId: null, email, firstName: null, lastName: null };
  // Event time 0: looking someone up by hand never makes their stored details older or newer.
  const resolution = await resolveContact(db, customer, 0, now, true);
  if (resolution.kind === 'none') throw new TeamError('invalid', `${email} cannot be added: ${resolution.reason}`);
  if (resolution.kind === 'new') await insertContact(db, { ...newContactDetails(customer, now), now });
  return (await findContactByEmail(db, email))!;
}

async function recordChange(
  db: Queryable,
  poolId: number,
  at: number,
  action: TeamAction,
  actor: TeamActor,
  memberContactId: number | null,
  detail: Record<string, unknown>,
): Promise<void> {
  await insertTeamEvent(db, {
    poolId,
    at,
    action,
    actorKind: actor.kind,
    actorName: actor.kind === 'admin' ? actor.name : null,
    memberContactId,
    detail,
  });
}

async function announceMember(
  ctx: AppContext,
  db: Queryable,
  type: Extract<WebhookEventType, 'team.member_added' | 'team.member_removed'>,
  pool: PoolRow,
  member: ContactRow,
  now: number,
): Promise<void> {
  if (!ctx.webhooks.mayHaveEndpoints) return;
  await recordWebhookEvent(
    db,
    {
      type,
      contactId: member.id,
      data: {
        ...personOf(member),
        team: {
          id: pool.id,
          orderId: pool.orderId,
          item: pool.item,
          offerings: ctx.rules.items.get(pool.item)?.grants ?? [],
        },
      },
    },
    now,
  );
}
