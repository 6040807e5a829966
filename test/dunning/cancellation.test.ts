import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DunningCaseView } from '../../src/app/dunning/list-dunning-cases.ts';
import { hasCommunity, sendMembership, startWithRenewalDue, tagsOf, type DunningHarness } from './dunning-harness.ts';

const DEE = 'dee@example.com';

describe('a cancellation while a payment is failing', () => {
  let harness: DunningHarness;
  beforeAll(async () => {
    harness = await startWithRenewalDue(DEE, '7301');
    await sendMembership(harness.handoff, 'failed', DEE, '7301');
    await harness.handoff.runJobs();
    harness.handoff.clock.advanceDays(2);
  });
  afterAll(() => harness.close());

  it("follows the item's onCancel (end of the paid period), removes the failed tag and stops the reminders", async () => {
    const { handoff } = harness;
    const paidThrough = new Date(handoff.clock.now() + 5 * 86_400_000);
    await sendMembership(handoff, 'cancel', DEE, '7301', { paidThrough });
    await handoff.runJobs();

    expect(await tagsOf(handoff, DEE)).toEqual(['Community - Access']);
    expect(await hasCommunity(handoff, DEE)).toBe(true);
    const closed = await handoff.api<{ cases: DunningCaseView[] }>('/api/dunning?state=closed');
    expect(closed.body.cases).toEqual([
      expect.objectContaining({ state: 'cancelled', closedAt: '2026-12-04T09:00:00.000Z' }),
    ]);

    await harness.passDays(6);
    expect(await hasCommunity(handoff, DEE)).toBe(false);
    await harness.passDays(14);
    expect(harness.subjectsFor(DEE)).toEqual(["Your payment for Course 40 & Community didn't go through"]);
  });
});
