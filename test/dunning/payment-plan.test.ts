import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DunningCaseView } from '../../src/app/dunning/list-dunning-cases.ts';
import { hasCommunity, sendMembership, startWithRenewalDue, tagsOf, type DunningHarness } from './dunning-harness.ts';

const EVE = 'eve@example.com';

describe('a three-instalment payment plan whose last instalment fails once', () => {
  let harness: DunningHarness;
  beforeAll(async () => {
    harness = await startWithRenewalDue(EVE, '7401');
    await sendMembership(harness.handoff, 'renewal', EVE, '7401', { paymentIndex: 1, remainingRebills: 1 });
    harness.handoff.clock.advanceDays(30);
  });
  afterAll(() => harness.close());

  it('duns the failed instalment like a subscription', async () => {
    await sendMembership(harness.handoff, 'failed', EVE, '7401', { paymentIndex: 2, remainingRebills: 1 });
    await harness.handoff.runJobs();
    expect(await tagsOf(harness.handoff, EVE)).toEqual(['Community - Access', 'Payment Failed']);
    expect(harness.subjectsFor(EVE)).toEqual(["Your payment for Course 40 & Community didn't go through"]);
  });

  it('marks the plan paid in full when the last instalment is paid, and access stays for good', async () => {
    const { handoff } = harness;
    handoff.clock.advanceDays(2);
    await sendMembership(handoff, 'renewal', EVE, '7401', { paymentIndex: 2, remainingRebills: 0 });
    await handoff.runJobs();

    expect(await tagsOf(handoff, EVE)).toEqual(['Community - Access', 'Community - Paid in full']);
    const closed = await handoff.api<{ cases: DunningCaseView[] }>('/api/dunning?state=closed');
    expect(closed.body.cases).toEqual([expect.objectContaining({ state: 'recovered' })]);

    await harness.passDays(90);
    expect(await hasCommunity(handoff, EVE)).toBe(true);
    expect(harness.subjectsFor(EVE)).toEqual([
      "Your payment for Course 40 & Community didn't go through",
      "You're all set: Course 40 & Community is paid",
    ]);
  });
});
