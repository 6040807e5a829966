import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DunningCaseView } from '../../src/app/dunning/list-dunning-cases.ts';
import { sendMembership, startDunningHarness, type DunningHarness } from './dunning-harness.ts';

const CUSTOMERS = ['gus@example.com', 'hal@example.com'];
const REMINDER = "Your payment for Course 40 & Community didn't go through";
const HOUR_MS = 3_600_000;

describe('the mail server down for a day', () => {
  let harness: DunningHarness;
  beforeAll(async () => {
    harness = await startDunningHarness();
    for (const [index, email] of CUSTOMERS.entries())
      await sendMembership(harness.handoff, 'purchase', email, `760${index}`);
    harness.handoff.clock.advanceDays(30);
  });
  afterAll(() => harness.close());

  it('keeps the reminders pending, retried with backoff, for as long as it is down', async () => {
    const { handoff, smtp } = harness;
    smtp.down = true;
    for (const [index, email] of CUSTOMERS.entries()) await sendMembership(handoff, 'failed', email, `760${index}`);
    for (let hour = 0; hour < 24; hour += 1) {
      await handoff.runJobs();
      handoff.clock.advance(HOUR_MS);
    }

    expect(smtp.received).toEqual([]);
    const open = await handoff.api<{ cases: DunningCaseView[] }>('/api/dunning');
    expect(open.body.cases).toHaveLength(2);
    for (const dunningCase of open.body.cases) {
      const [reminder] = dunningCase.emails;
      expect(reminder).toMatchObject({ step: 'reminder-1', status: 'pending' });
      expect(reminder!.attempts).toBeGreaterThan(5);
      expect(reminder!.lastError).toMatch(/421/);
    }
    const dead = await handoff.runtime.ctx.pool.query(`select 1 from jobs where state = 'dead'`);
    expect(dead.rowCount).toBe(0);
  });

  it('delivers every pending reminder exactly once when it is back', async () => {
    const { handoff, smtp } = harness;
    smtp.down = false;
    handoff.clock.advance(HOUR_MS);
    await handoff.runJobs();
    await harness.passDays(1);

    expect(smtp.received.map((email) => [email.to[0], email.subject])).toEqual(
      expect.arrayContaining(CUSTOMERS.map((email) => [email, REMINDER])),
    );
    expect(smtp.received).toHaveLength(2);
    const open = await handoff.api<{ cases: DunningCaseView[] }>('/api/dunning');
    expect(open.body.cases.map((dunningCase) => dunningCase.emails[0]!.status)).toEqual(['sent', 'sent']);

    await harness.passDays(1);
    expect(CUSTOMERS.map((email) => harness.subjectsFor(email))).toEqual([
      [REMINDER, REMINDER],
      [REMINDER, REMINDER],
    ]);
  });
});
