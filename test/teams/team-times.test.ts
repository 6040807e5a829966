/**
 * Times on the console's team pages, a contact's Teams section and the leader's own team page
 * read like the rest of the console: in `console.timeZone`, relative when recent, never in UTC.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addMember } from '../../src/app/teams/teams.ts';
import { listTeams } from '../../src/app/teams/team-views.ts';
import { consoleCookie } from '../support/console-session.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { buyTeamPlanAsAda, teamConfig } from './teams-harness.ts';

describe('times on team pages', () => {
  let handoff: TestHandoff;
  afterEach(() => handoff.close());

  it("are in the console's time zone, relative when recent", async () => {
    // 23:30 UTC on 2 December is 08:30 on 3 December in Tokyo.
    handoff = await startTestHandoff({
      config: teamConfig('console:\n  timeZone: Asia/Tokyo'),
      clock: new FakeClock(Date.parse('2026-12-02T23:30:00Z')),
    });
    const ctx = handoff.runtime.ctx;
    await buyTeamPlanAsAda(handoff);
    const [team] = await listTeams(ctx, { leaderEmail: 'ada@example.com' });
    await addMember(ctx, team!.id, 'bob@example.com', { kind: 'admin', name: 'Jo' });
    const leaderLink = await ctx.teamLinks.currentUrl(ctx.pool, 'leader', team!.id, team!.leader!.contactId);
    const read = async (url: string, withCookie = true): Promise<string> => {
      // Signed in afresh each time: a console session does not outlast the days this test skips.
      const headers = withCookie ? { cookie: await consoleCookie(handoff) } : {};
      const response = await handoff.server.inject({ method: 'GET', url, headers });
      expect({ url, status: response.statusCode }).toEqual({ url, status: 200 });
      return response.body;
    };
    const pages = async (): Promise<string[]> => [
      await read(`/teams/${team!.id}`),
      await read('/contacts/bob%40example.com'),
      await read(new URL(leaderLink).pathname, false),
    ];
    const exact = 'title="3 Dec 2026, 08:30 (Asia/Tokyo)"';

    for (const body of await pages()) {
      expect(body).toContain(exact);
      expect(body).toMatch(/>just now<\/time>/);
      expect(body).not.toMatch(/\d\d:\d\d UTC/);
      expect(body).not.toContain('December 2, 2026');
    }

    handoff.clock.advanceDays(3);
    for (const body of await pages()) {
      expect(body).toContain(`${exact}>3 Dec 2026, 08:30</time>`);
    }
  });
});
