/**
 * The "you're all set" e-mail must not depend on the order deliveries arrive in. One failed
 * membership charge (its processor retry optional) and the payment that settles it, each arriving
 * at its own delay after it happened, so that in some stories the failure arrives first and a
 * reminder goes out, in others the payment arrives first, or both arrive before the reminder job
 * runs, or the failure arrives only after the grace period. Time passes day by day with the job
 * worker running, as it would in production. Whatever happened, the rule holds
 * (recoveredEmailFollows): "you're all set" went out exactly once when a reminder went out, and
 * never when none did.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedEvent, SimulateOptions } from '../../src/adapters/sources/thrivecart/build-body.ts';
import { sendMembership, startDunningHarness, type DunningHarness } from './dunning-harness.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const FAILED_ON_DAY = 30;
/** Past the grace period (14 days) and its last timers. */
const GRACE_AND_TIMERS_DAYS = 15;
const REMINDER = /didn't go through/;
const ALL_SET = /^You're all set/;

interface Story {
  /** Hours after the failure that the processor's retry failed too; null for no retry. */
  retryAfterHours: number | null;
  /** Hours after the failure that the charge was paid (past 14 days: after the grace period ended). */
  paidAfterHours: number;
  /** How late each delivery arrives, in hours: failure, retry, payment. */
  delays: [number, number, number];
  /** Whether the worker runs right after each delivery, or only at the next day's round. */
  workerRunsAtOnce: boolean;
}

interface Arrival {
  event: SimulatedEvent;
  at: number;
  options: Partial<SimulateOptions>;
}

const stories = fc.record({
  retryAfterHours: fc.option(fc.integer({ min: 1, max: 72 }), { nil: null }),
  // At least an hour after the failure: a payment at the very instant of the failure it settles is not a story.
  paidAfterHours: fc.integer({ min: 1, max: 20 * 24 }),
  delays: fc.tuple(
    fc.integer({ min: 0, max: 20 * 24 }),
    fc.integer({ min: 0, max: 20 * 24 }),
    fc.integer({ min: 0, max: 20 * 24 }),
  ),
  workerRunsAtOnce: fc.boolean(),
});

describe('the outcome e-mail, whatever order the failure and the payment arrive in', () => {
  let harness: DunningHarness;
  let customer = 0;
  const outcomes = { withReminder: 0, withoutReminder: 0 };
  beforeAll(async () => {
    harness = await startDunningHarness();
  });
  afterAll(() => harness.close());

  /** Plays one story as a customer of its own; returns the subjects of the e-mails they received. */
  async function play(story: Story): Promise<string[]> {
    const { handoff } = harness;
    customer += 1;
    const email = `story-${customer}@example.com`;
    const orderId = String(700_000 + customer);
    const start = handoff.clock.now();
    await sendMembership(handoff, 'purchase', email, orderId);
    const failedAt = start + FAILED_ON_DAY * DAY;
    const charge = { paymentIndex: 1 };
    const arrivals: Arrival[] = [
      {
        event: 'failed',
        at: failedAt + story.delays[0] * HOUR,
        options: { ...charge, occurredAt: new Date(failedAt) },
      },
      {
        event: 'renewal',
        at: failedAt + (story.paidAfterHours + story.delays[2]) * HOUR,
        options: { ...charge, occurredAt: new Date(failedAt + story.paidAfterHours * HOUR) },
      },
    ];
    if (story.retryAfterHours !== null) {
      const retriedAt = failedAt + story.retryAfterHours * HOUR;
      // A retry after the payment is not something a processor does.
      if (story.retryAfterHours < story.paidAfterHours)
        arrivals.push({
          event: 'failed',
          at: retriedAt + story.delays[1] * HOUR,
          options: { ...charge, occurredAt: new Date(retriedAt) },
        });
    }
    arrivals.sort((a, b) => a.at - b.at);

    const lastDay = Math.max(Math.ceil((arrivals.at(-1)!.at - start) / DAY), FAILED_ON_DAY + GRACE_AND_TIMERS_DAYS) + 1;
    // Nothing happens in the paid month before the failure.
    await handoff.runJobs();
    for (let day = FAILED_ON_DAY; day <= lastDay; day += 1) {
      const until = start + day * DAY;
      while (arrivals.length > 0 && arrivals[0]!.at <= until) {
        const arrival = arrivals.shift()!;
        handoff.clock.set(Math.max(handoff.clock.now(), arrival.at));
        await sendMembership(handoff, arrival.event, email, orderId, arrival.options);
        if (story.workerRunsAtOnce) await handoff.runJobs();
      }
      handoff.clock.set(until);
      await handoff.runJobs();
    }
    return harness.subjectsFor(email);
  }

  it('"you\'re all set" goes out once exactly when a reminder went out, else never', async () => {
    await fc.assert(
      fc.asyncProperty(stories, async (story) => {
        const subjects = await play(story);
        const reminders = subjects.filter((subject) => REMINDER.test(subject)).length;
        const allSet = subjects.filter((subject) => ALL_SET.test(subject)).length;
        expect(allSet, `e-mails received: ${JSON.stringify(subjects)}`).toBe(reminders > 0 ? 1 : 0);
        outcomes[reminders > 0 ? 'withReminder' : 'withoutReminder'] += 1;
      }),
      {
        numRuns: 12,
        examples: [
          // The failure arrives at once and its reminder goes out; paid a day later.
          [{ retryAfterHours: null, paidAfterHours: 24, delays: [0, 0, 0], workerRunsAtOnce: true }],
          // Failure and payment arrive together, before the worker's next round: no reminder went out.
          [{ retryAfterHours: null, paidAfterHours: 2, delays: [3, 0, 0], workerRunsAtOnce: false }],
          // The failure is reported only after the grace period, then the payment.
          [{ retryAfterHours: null, paidAfterHours: 16 * 24, delays: [15 * 24, 0, 0], workerRunsAtOnce: true }],
          // The payment arrives before the failure it settles.
          [{ retryAfterHours: 24, paidAfterHours: 48, delays: [10 * 24, 10 * 24, 0], workerRunsAtOnce: true }],
        ],
      },
    );
    // Both sides of the rule were exercised.
    expect(outcomes.withReminder).toBeGreaterThan(0);
    expect(outcomes.withoutReminder).toBeGreaterThan(0);
  }, 300_000);
});
