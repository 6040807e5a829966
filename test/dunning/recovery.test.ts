import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DunningCaseView } from '../../src/app/dunning/list-dunning-cases.ts';
import {
  CARD_UPDATE_URL,
  hasCommunity,
  sendMembership,
  startWithRenewalDue,
  tagsOf,
  type DunningHarness,
} from './dunning-harness.ts';

const ADA = 'ada@example.com';

describe('a failed renewal paid after the first reminder', () => {
  let harness: DunningHarness;
  beforeAll(async () => {
    harness = await startWithRenewalDue(ADA, '7001');
  });
  afterAll(() => harness.close());

  it('tags the contact at once, keeps access and e-mails the first reminder with the card-update link', async () => {
    const { handoff, smtp } = harness;
    await sendMembership(handoff, 'failed', ADA, '7001');
    await handoff.runJobs();

    expect(await tagsOf(handoff, ADA)).toEqual(['Community - Access', 'Payment Failed']);
    expect(await hasCommunity(handoff, ADA)).toBe(true);
    expect(smtp.received).toHaveLength(1);
    const [reminder] = smtp.received;
    expect(reminder!.to).toEqual([ADA]);
    expect(reminder!.from).toBe('hello@focusschool.test');
    expect(reminder!.subject).toBe("Your payment for Course 40 & Community didn't go through");
    // 14 days of grace from the failure on 2026-12-02.
    for (const part of [reminder!.text, reminder!.html]) {
      expect(part).toContain('Hi Ada,');
      expect(part).toContain('$47.00');
      expect(part).toContain('December 16, 2026');
      expect(part).toContain(CARD_UPDATE_URL);
    }
    expect(reminder!.html).toContain('Course 40 &amp; Community');
    expect(reminder!.text).toContain('Course 40 & Community');
  });

  it('lists the open case with its next reminder and the day access ends', async () => {
    const listed = await harness.handoff.api<{ cases: DunningCaseView[] }>('/api/dunning?state=open');
    expect(listed.status).toBe(200);
    expect(listed.body.cases).toEqual([
      expect.objectContaining({
        email: ADA,
        name: 'Ada Lovelace',
        product: 'Course 40 & Community',
        state: 'open',
        openedAt: '2026-12-02T09:00:00.000Z',
        accessEndsAt: '2026-12-16T09:00:00.000Z',
        amountDue: '$47.00',
        nextStep: { step: 'reminder-2', at: '2026-12-05T09:00:00.000Z' },
      }),
    ]);
    expect(listed.body.cases[0]!.emails.map((email) => [email.step, email.status])).toEqual([
      ['reminder-1', 'sent'],
      ['reminder-2', 'scheduled'],
      ['reminder-3', 'scheduled'],
    ]);
  });

  it('closes the case on payment: failed tag removed, a short thank-you, and no more reminders', async () => {
    const { handoff, smtp } = harness;
    handoff.clock.advanceDays(1);
    await sendMembership(handoff, 'renewal', ADA, '7001', { paymentIndex: 1 });
    await handoff.runJobs();

    expect(await tagsOf(handoff, ADA)).toEqual(['Community - Access']);
    expect(smtp.received.map((email) => email.subject)).toEqual([
      "Your payment for Course 40 & Community didn't go through",
      "You're all set: Course 40 & Community is paid",
    ]);

    await harness.passDays(20);
    expect(smtp.received).toHaveLength(2);
    expect(await hasCommunity(handoff, ADA)).toBe(true);
    expect((await handoff.api<{ cases: DunningCaseView[] }>('/api/dunning')).body.cases).toEqual([]);
    const closed = await handoff.api<{ cases: DunningCaseView[] }>('/api/dunning?state=closed');
    expect(closed.body.cases).toEqual([
      expect.objectContaining({ email: ADA, state: 'recovered', closedAt: '2026-12-03T09:00:00.000Z', nextStep: null }),
    ]);
  });

  it("shows the e-mails in the contact's timeline, between the events that caused them", async () => {
    const timeline = await harness.handoff.api<{ timeline: { summary: string }[] }>(`/api/contacts/${ADA}/timeline`);
    expect(timeline.body.timeline.map((entry) => entry.summary.split(' (')[0]!.split(':')[0])).toEqual([
      'Bought Course 40 & Community',
      'Payment for Community',
      'Payment reminder 1 about Course 40 & Community',
      'Paid $47.00 for Community',
      '"you\'re all set" e-mail about Course 40 & Community',
    ]);
    expect(timeline.body.timeline[2]!.summary).toBe(`Payment reminder 1 about Course 40 & Community: sent to ${ADA}`);
  });
});
