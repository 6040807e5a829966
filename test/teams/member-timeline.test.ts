/**
 * A member's own timeline tells the payer's steps that moved their access: the failed payment and
 * its grace, the payment that recovered it, the cancellation and when access ends (the API, the
 * console's contact page and `handoff contact` all read the same timeline).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addMember } from '../../src/app/teams/teams.ts';
import { listTeams } from '../../src/app/teams/team-views.ts';
import { consoleCookie } from '../support/console-session.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { teamConfig } from './teams-harness.ts';
import { DAY_MS } from '../../src/core/time.ts';

describe("a member's timeline", () => {
  let handoff: TestHandoff;
  afterEach(() => handoff.close());

  it("shows the payer's lapses and recoveries while the seat was held, and none from before it", async () => {
    handoff = await startTestHandoff({ config: teamConfig() });
    const ada = {
      email: 'ada@example.com',
      firstName: 'Ada',
      lastName: 'Lovelace',
      item: 'product-50',
      orderId: '9901',
    };
    await handoff.send('purchase', { ...ada, recurring: true });
    // Before Bob joins: his timeline does not tell it.
    handoff.clock.advanceDays(2);
    await handoff.send('failed', ada);
    handoff.clock.advanceDays(1);
    await handoff.send('renewal', ada);
    const [team] = await listTeams(handoff.runtime.ctx, { leaderEmail: ada.email });
    handoff.clock.advanceDays(1);
    await addMember(handoff.runtime.ctx, team!.id, 'bob@example.com', { kind: 'admin', name: 'Jo' });

    handoff.clock.advanceDays(30);
    await handoff.send('failed', ada);
    handoff.clock.advanceDays(3);
    await handoff.send('renewal', ada);
    handoff.clock.advanceDays(5);
    const paidThrough = Math.floor(handoff.clock.now() / 1000) * 1000 + 20 * DAY_MS;
    await handoff.send('cancel', { ...ada, paidThrough: new Date(paidThrough) });
    const endDay = new Date(paidThrough).toISOString().slice(0, 10);

    const answer = await handoff.api<{ timeline: { summary: string }[] }>('/api/contacts/bob@example.com/timeline');
    const summaries = answer.body.timeline.map((entry) => entry.summary);
    const team9901 = "Ada Lovelace's team \\(Course 50 & Community, order 9901\\)";
    expect(summaries).toEqual([
      expect.stringMatching(new RegExp(`^Joined ${team9901}`)),
      expect.stringMatching(
        new RegExp(
          `^${team9901}: payment failed\\. Members' access: Payment for .* failed on .*; access continues until `,
        ),
      ),
      expect.stringMatching(new RegExp(`^${team9901}: payment received\\. Members' access: Subscribed to `)),
      expect.stringMatching(
        new RegExp(
          `^${team9901}: cancelled\\. Members' access: Cancelled .*access continues until the paid period ends on ${endDay}`,
        ),
      ),
    ]);
    // When the paid period ends, Bob's own step says his access went with it.
    handoff.clock.set(paidThrough + 1000);
    const ended = await handoff.api<{ timeline: { summary: string }[] }>('/api/contacts/bob@example.com/timeline');
    expect(ended.body.timeline.at(-1)!.summary).toMatch(
      /^Member of .*; Cancelled .*the paid period ended on .*: access to Inner Circle removed$/,
    );
    // The payer's money is not in the member's timeline.
    expect(summaries.join('\n')).not.toMatch(/\$/);

    const page = await handoff.server.inject({
      method: 'GET',
      url: '/contacts/bob%40example.com',
      headers: { cookie: await consoleCookie(handoff) },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('payment failed. Members&#39; access: Payment for');
    expect(page.body).toContain(`access continues until the paid period ends on ${endDay}`);
  });
});
