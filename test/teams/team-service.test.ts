import { afterEach, describe, expect, it } from 'vitest';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { addMember, removeMember, resizeTeam } from '../../src/app/teams/teams.ts';
import { getTeam, listTeams, teamHistory } from '../../src/app/teams/team-views.ts';
import { TeamError } from '../../src/app/teams/team-errors.ts';
import { accessOf, buyTeamPlanAsAda, ledgerTags, teamConfig } from './teams-harness.ts';

const ADMIN = { kind: 'admin', name: 'Jo' } as const;

describe('team pools through the service', () => {
  let handoff: TestHandoff;
  afterEach(() => handoff.close());

  it('opens a pool at purchase, gives seats, refuses a member past the seats and reuses a freed seat', async () => {
    handoff = await startTestHandoff({ config: teamConfig() });
    const ctx = handoff.runtime.ctx;
    const purchase = await buyTeamPlanAsAda(handoff);
    expect(purchase.body.status).toBe('applied');
    const [team] = await listTeams(ctx, { leaderEmail: 'ada@example.com' });
    expect(team).toMatchObject({
      orderId: '9901',
      item: 'product-50',
      offerings: ['inner-circle'],
      seats: 2,
      seatsUsed: 0,
      leader: { email: 'ada@example.com' },
      payer: { email: 'ada@example.com' },
      label: "Ada Lovelace's team (Course 50 & Community, order 9901)",
      entitlement: { active: true },
    });
    expect(await accessOf(handoff, 'bob@example.com')).toMatchObject({ granted: false });

    await addMember(ctx, team!.id, 'Bob@Example.com ', ADMIN);
    const bob = await accessOf(handoff, 'bob@example.com');
    expect(bob).toMatchObject({ granted: true, until: null });
    expect(bob.reason).toMatch(
      /^Member of Ada Lovelace's team \(Course 50 & Community, order 9901\) since \d{4}-\d\d-\d\d; Subscribed to /,
    );
    expect(await ledgerTags(handoff, 'bob@example.com')).toEqual(['Inner Circle - Access', 'team-9901-product-50']);

    await addMember(ctx, team!.id, 'cy@example.com', ADMIN);
    const full = await addMember(ctx, team!.id, 'dee@example.com', ADMIN).catch((error: unknown) => error);
    expect(full).toBeInstanceOf(TeamError);
    expect((full as TeamError).code).toBe('no_free_seat');
    expect(await accessOf(handoff, 'dee@example.com')).toMatchObject({ granted: false });

    handoff.clock.advanceDays(1);
    const afterLeave = await removeMember(ctx, team!.id, 'bob@example.com', { kind: 'member' });
    expect(afterLeave.members.map((member) => member.email)).toEqual(['cy@example.com']);
    expect(await accessOf(handoff, 'bob@example.com')).toMatchObject({
      granted: false,
      reason: expect.stringMatching(/^Left Ada Lovelace's team/),
    });
    // AccessAlly's rule, as for a buyer: the access tag stays and the revoke tag says it ended.
    expect(await ledgerTags(handoff, 'bob@example.com')).toEqual(['Inner Circle - Access', 'Inner Circle - Revoke']);

    const reused = await addMember(ctx, team!.id, 'dee@example.com', { kind: 'leader' });
    expect(reused.members.map((member) => member.email)).toEqual(['cy@example.com', 'dee@example.com']);
    expect(await accessOf(handoff, 'dee@example.com')).toMatchObject({ granted: true });

    // Lowering the seats evicts nobody; nobody can join until enough leave.
    const shrunk = await resizeTeam(ctx, team!.id, 1, ADMIN);
    expect(shrunk).toMatchObject({ seats: 1, seatsUsed: 2, seatsFree: 0, seatsAdjustment: -1 });
    expect(await accessOf(handoff, 'cy@example.com')).toMatchObject({ granted: true });
    await expect(addMember(ctx, team!.id, 'bob@example.com', ADMIN)).rejects.toMatchObject({ code: 'no_free_seat' });

    expect(
      (await teamHistory(ctx, team!.id))!.map((entry) =>
        `${entry.action} ${entry.actor} ${entry.member?.email ?? ''}`.trim(),
      ),
    ).toEqual([
      'opened purchase',
      'member_added admin (Jo) bob@example.com',
      'member_added admin (Jo) cy@example.com',
      'member_left member bob@example.com',
      'member_added leader dee@example.com',
      'resized admin (Jo)',
    ]);
    expect(await getTeam(ctx, 999_999)).toBeNull();
  });
});
