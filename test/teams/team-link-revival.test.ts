/**
 * A link is good only for the turn it was issued in: a role given back (the leader role moved
 * A -> B -> A, a member removed and added again) comes with a new link, and the one from the
 * earlier turn opens nothing, through the page itself.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addMember, moveLeader, removeMember } from '../../src/app/teams/teams.ts';
import { listTeams } from '../../src/app/teams/team-views.ts';
import { PUBLIC_URL, startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { buyTeamPlanAsAda, teamConfig } from './teams-harness.ts';

const ADMIN = { kind: 'admin', name: 'Jo' } as const;

describe('a role given back gets a new link', () => {
  let handoff: TestHandoff;
  afterEach(() => handoff.close());

  async function statusOf(url: string): Promise<number> {
    return (await handoff.server.inject({ method: 'GET', url: url.slice(PUBLIC_URL.length) })).statusCode;
  }

  async function openTeam(): Promise<number> {
    handoff = await startTestHandoff({ config: teamConfig() });
    await buyTeamPlanAsAda(handoff);
    const [team] = await listTeams(handoff.runtime.ctx, { leaderEmail: 'ada@example.com' });
    return team!.id;
  }

  it("the leader role moved away and back does not revive the first leader's old link", async () => {
    const teamId = await openTeam();
    const ctx = handoff.runtime.ctx;
    const ada = (await listTeams(ctx, {}))[0]!.leader!;
    const firstLink = await ctx.teamLinks.currentUrl(ctx.pool, 'leader', teamId, ada.contactId);
    expect(await statusOf(firstLink)).toBe(200);

    const movedToBob = await moveLeader(ctx, teamId, 'bob@example.com', ADMIN);
    const bobsLink = await ctx.teamLinks.currentUrl(ctx.pool, 'leader', teamId, movedToBob.leader!.contactId);
    expect(await statusOf(firstLink)).toBe(404);
    expect(await statusOf(bobsLink)).toBe(200);

    await moveLeader(ctx, teamId, 'ada@example.com', ADMIN);
    const secondLink = await ctx.teamLinks.currentUrl(ctx.pool, 'leader', teamId, ada.contactId);
    expect(secondLink).not.toBe(firstLink);
    expect(await statusOf(secondLink)).toBe(200);
    expect(await statusOf(firstLink)).toBe(404);
    expect(await statusOf(bobsLink)).toBe(404);
  });

  it('a member removed and added again gets a new link; the old one stays dead', async () => {
    const teamId = await openTeam();
    const ctx = handoff.runtime.ctx;
    const added = await addMember(ctx, teamId, 'cy@example.com', ADMIN);
    const cy = added.members.find((member) => member.email === 'cy@example.com')!;
    const firstLink = await ctx.teamLinks.currentUrl(ctx.pool, 'member', teamId, cy.contactId);
    expect(await statusOf(firstLink)).toBe(200);

    await removeMember(ctx, teamId, 'cy@example.com', ADMIN);
    expect(await statusOf(firstLink)).toBe(404);
    await addMember(ctx, teamId, 'cy@example.com', ADMIN);
    const secondLink = await ctx.teamLinks.currentUrl(ctx.pool, 'member', teamId, cy.contactId);
    expect(await statusOf(secondLink)).toBe(200);
    expect(await statusOf(firstLink)).toBe(404);
  });
});
