import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DunningCaseView } from '../../src/app/dunning/list-dunning-cases.ts';
import { sendMembership, startWithRenewalDue, type DunningHarness } from './dunning-harness.ts';

const CAL = 'cal@example.com';

describe('the processor retrying one charge several times', () => {
  let harness: DunningHarness;
  beforeAll(async () => {
    harness = await startWithRenewalDue(CAL, '7201');
  });
  afterAll(() => harness.close());

  it('keeps one case, counts the failures and neither restarts the reminders nor moves the end of access', async () => {
    const { handoff } = harness;
    for (let retry = 0; retry < 3; retry += 1) {
      await sendMembership(handoff, 'failed', CAL, '7201');
      await handoff.runJobs();
      handoff.clock.advanceDays(1);
    }
    // Day 3 after the first failure: the first reminder once, the second one now.
    await handoff.runJobs();

    expect(harness.subjectsFor(CAL)).toHaveLength(2);
    const open = await handoff.api<{ cases: DunningCaseView[] }>('/api/dunning');
    expect(open.body.cases).toHaveLength(1);
    expect(open.body.cases[0]).toMatchObject({
      failures: 3,
      openedAt: '2026-12-02T09:00:00.000Z',
      accessEndsAt: '2026-12-16T09:00:00.000Z',
      nextStep: { step: 'reminder-3', at: '2026-12-09T09:00:00.000Z' },
    });
  });
});
