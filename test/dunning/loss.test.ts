import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DunningCaseView } from '../../src/app/dunning/list-dunning-cases.ts';
import {
  hasCommunity,
  OWNER,
  sendMembership,
  startWithRenewalDue,
  tagsOf,
  type DunningHarness,
} from './dunning-harness.ts';

const BEA = 'bea@example.com';
const REMINDER = "Your payment for Course 40 & Community didn't go through";

describe('a failed renewal never paid within the grace period, then paid late', () => {
  let harness: DunningHarness;
  beforeAll(async () => {
    harness = await startWithRenewalDue(BEA, '7101');
    await sendMembership(harness.handoff, 'failed', BEA, '7101');
    await harness.handoff.runJobs();
  });
  afterAll(() => harness.close());

  it('sends the reminders on days 0, 3 and 7 and keeps access through day 13', async () => {
    await harness.passDays(13);
    expect(harness.subjectsFor(BEA)).toEqual([REMINDER, REMINDER, REMINDER]);
    expect(await hasCommunity(harness.handoff, BEA)).toBe(true);
    expect(harness.subjectsFor(OWNER)).toEqual([]);
  });

  it('on day 14 ends access, applies the revoke tag, closes the case as lost and tells the owner', async () => {
    const { handoff } = harness;
    await harness.passDays(1);

    expect(await hasCommunity(handoff, BEA)).toBe(false);
    expect(await tagsOf(handoff, BEA)).toEqual(['Community - Access', 'Community - Revoke', 'Payment Failed']);
    expect(harness.subjectsFor(OWNER)).toEqual(['Payment not recovered: Ada Lovelace, Course 40 & Community']);
    const ownerMail = harness.smtp.received.find((email) => email.to.includes(OWNER))!;
    expect(ownerMail.text).toContain(
      `Ada Lovelace (${BEA}) has not paid for Course 40 & Community since December 2, 2026.`,
    );
    expect(ownerMail.text).toContain('Amount due: $47.00');

    const closed = await handoff.api<{ cases: DunningCaseView[] }>('/api/dunning?state=closed');
    expect(closed.body.cases).toEqual([
      expect.objectContaining({
        email: BEA,
        state: 'lost',
        lostAt: '2026-12-16T09:00:00.000Z',
        closedAt: '2026-12-16T09:00:00.000Z',
      }),
    ]);
    await harness.passDays(10);
    expect(harness.subjectsFor(BEA)).toHaveLength(3);
    expect(harness.subjectsFor(OWNER)).toHaveLength(1);
  });

  it('restores access when the payment arrives after the loss, and marks the case recovered-after-loss', async () => {
    const { handoff } = harness;
    await sendMembership(handoff, 'renewal', BEA, '7101', { paymentIndex: 1 });
    await handoff.runJobs();

    expect(await hasCommunity(handoff, BEA)).toBe(true);
    expect(await tagsOf(handoff, BEA)).toEqual(['Community - Access']);
    expect(harness.subjectsFor(BEA).at(-1)).toBe("You're all set: Course 40 & Community is paid");
    const closed = await handoff.api<{ cases: DunningCaseView[] }>('/api/dunning?state=closed');
    expect(closed.body.cases).toEqual([
      expect.objectContaining({
        state: 'recovered-after-loss',
        lostAt: '2026-12-16T09:00:00.000Z',
        closedAt: '2026-12-26T09:00:00.000Z',
      }),
    ]);
  });
});
