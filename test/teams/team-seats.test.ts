/**
 * Where a pool's seats come from (the team line per pricing option and quantity, extra-seat items
 * bought in the same order or later), and the leader's seat and role.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeForm } from '../../src/adapters/sources/thrivecart/build-body.ts';
import type { Fields } from '../../src/adapters/sources/thrivecart/parse-body.ts';
import { addMember, moveLeader, removeMember } from '../../src/app/teams/teams.ts';
import { listTeams } from '../../src/app/teams/team-views.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { accessOf, TEAM_ITEMS_YAML, teamConfig } from './teams-harness.ts';
import { testDeliveryFields } from '../support/test-delivery.ts';

const ADMIN = { kind: 'admin', name: 'Jo' } as const;

describe('team seats', () => {
  let handoff: TestHandoff;
  afterEach(() => handoff.close());

  it('adds the seats of a bump in the same order and of an upsell bought later, and takes back a refunded bump’s without evicting', async () => {
    handoff = await startTestHandoff({ config: teamConfig() });
    const ctx = handoff.runtime.ctx;
    await handoff.send('purchase', {
      email: 'ada@example.com',
      item: 'product-50',
      extraItems: ['bump-50'],
      orderId: '7001',
    });
    let [team] = await listTeams(ctx, { leaderEmail: 'ada@example.com' });
    expect(team).toMatchObject({ seats: 5, purchasedSeats: 5 });
    expect(team!.seatSources.map((source) => source.why)).toEqual([
      expect.stringMatching(/\(product-50, order 7001\): 2 seats$/),
      expect.stringMatching(/\(bump-50, order 7001\): \+3 seats$/),
    ]);

    handoff.clock.advanceDays(10);
    await handoff.send('purchase', { email: 'ada@example.com', item: 'upsell-50', orderId: '7002' });
    [team] = await listTeams(ctx, { leaderEmail: 'ada@example.com' });
    expect(team).toMatchObject({ seats: 6, orderId: '7001' });
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) await addMember(ctx, team!.id, `${name}@example.com`, ADMIN);
    await expect(addMember(ctx, team!.id, 'g@example.com', ADMIN)).rejects.toMatchObject({ code: 'no_free_seat' });

    handoff.clock.advanceDays(1);
    await handoff.send('refund', {
      email: 'ada@example.com',
      item: 'bump-50',
      orderId: '7001',
      refundAmountCents: 1900,
    });
    [team] = await listTeams(ctx, { leaderEmail: 'ada@example.com' });
    expect(team).toMatchObject({ seats: 3, seatsUsed: 6, seatsFree: 0 });
    expect(team!.seatSources[1]!.why).toMatch(/its 3 seats no longer count \(Refunded /);
    expect(await accessOf(handoff, 'f@example.com')).toMatchObject({ granted: true });
  });

  it('multiplies by charges[].quantity and reads seats per pricing option', async () => {
    const fields = testDeliveryFields('purchase', {
      email: 'ada@example.com',
      item: 'product-50',
      orderId: '7101',
    });
    const charge = ((fields.order as Fields).charges as Fields)['0'] as Fields;
    const option = String(charge.payment_plan_id);
    // Pricing option `option` gives 4 seats, and the buyer bought 3 units of it.
    handoff = await startTestHandoff({
      config: teamConfig(
        '',
        TEAM_ITEMS_YAML.replace('team: { seats: 2 }', `team: { seats: { "${option}": 4, "1": 10 } }`),
      ),
    });
    charge.quantity = '3';
    const response = await handoff.server.inject({
      method: 'POST',
      url: '/webhooks/thrivecart',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: encodeForm(fields),
    });
    expect(response.json()).toMatchObject({ status: 'applied' });
    const [team] = await listTeams(handoff.runtime.ctx, { leaderEmail: 'ada@example.com' });
    expect(team).toMatchObject({ seats: 12 });
    expect(team!.seatSources[0]!.why).toMatch(new RegExp(`4 seats for pricing option ${option} × 3$`));
  });

  it('gives the leader a seat when the buyer takes one, and moves seat and role to another person', async () => {
    handoff = await startTestHandoff({ config: teamConfig() });
    const ctx = handoff.runtime.ctx;
    await handoff.send('purchase', { email: 'ada@example.com', item: 'product-51', orderId: '7201' });
    const [team] = await listTeams(ctx, { leaderEmail: 'ada@example.com' });
    expect(team).toMatchObject({ seats: 2, seatsUsed: 1, leaderTakesSeat: true });
    expect(team!.members.map((member) => member.email)).toEqual(['ada@example.com']);
    await addMember(ctx, team!.id, 'bob@example.com', ADMIN);
    await expect(addMember(ctx, team!.id, 'cy@example.com', ADMIN)).rejects.toMatchObject({ code: 'no_free_seat' });

    // The leader leaves their seat: it is free again; their own purchase still grants them access.
    handoff.clock.advanceDays(1);
    await removeMember(ctx, team!.id, 'ada@example.com', { kind: 'member' });
    await addMember(ctx, team!.id, 'cy@example.com', { kind: 'leader' });
    expect(await accessOf(handoff, 'ada@example.com')).toMatchObject({
      granted: true,
      reason: expect.stringMatching(/^Purchased /),
    });

    // The role moves to Bob, who already holds a seat: nobody is evicted, Bob leads.
    const moved = await moveLeader(ctx, team!.id, 'bob@example.com', ADMIN);
    expect(moved).toMatchObject({ leader: { email: 'bob@example.com' }, seatsUsed: 2 });
    expect(await listTeams(ctx, { leaderEmail: 'ada@example.com' })).toEqual([]);
    expect((await listTeams(ctx, { leaderEmail: 'bob@example.com' }))[0]!.id).toBe(team!.id);
    // Members' reasons name the team by its product and order; access still follows Ada's line.
    expect(await accessOf(handoff, 'cy@example.com')).toMatchObject({
      granted: true,
      reason: expect.stringMatching(/^Member of .*order 7201\) since .*; Purchased .*order 7201/),
    });

    // Moving it on to someone without a seat moves Bob's seat to them.
    const again = await moveLeader(ctx, team!.id, 'dee@example.com', ADMIN);
    expect(again.members.map((member) => member.email).sort()).toEqual(['cy@example.com', 'dee@example.com']);
    expect(await accessOf(handoff, 'bob@example.com')).toMatchObject({ granted: false });
    expect(await accessOf(handoff, 'dee@example.com')).toMatchObject({ granted: true });
  });
});
