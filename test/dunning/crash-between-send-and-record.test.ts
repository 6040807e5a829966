import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DunningCaseView } from '../../src/app/dunning/list-dunning-cases.ts';
import { DUNNING_EMAIL_JOB } from '../../src/app/dunning/send-dunning-email.ts';
import { JobWorker } from '../../src/adapters/jobs/job-worker.ts';
import { sendMembership, startWithRenewalDue, type DunningHarness } from './dunning-harness.ts';

const FAY = 'fay@example.com';
const REMINDER = "Your payment for Course 40 & Community didn't go through";

describe('a crash while a reminder is being sent', () => {
  let harness: DunningHarness;
  beforeEach(async () => {
    harness = await startWithRenewalDue(FAY, '7501');
  });
  afterEach(() => harness.close());

  it('after the mail server accepted it but before it was recorded: sent again once, then never more', async () => {
    const { handoff } = harness;
    // The database refuses the first "mark as sent", the way a process dying at that instant would
    // leave it: the mail server has the message, the ledger still says "sending".
    await handoff.runtime.ctx.pool.query(`
      create sequence crash_once; -- sequences ignore rollbacks: the crash happens exactly once
      create function crash_on_first_mark() returns trigger language plpgsql as $$
      begin
        if new.state = 'sent' and nextval('crash_once') = 1 then
          raise exception 'simulated crash after the SMTP server accepted the message';
        end if;
        return new;
      end $$;
      create trigger crash_on_first_mark before update on dunning_emails for each row execute function crash_on_first_mark();`);

    await sendMembership(handoff, 'failed', FAY, '7501');
    await handoff.runJobs();
    expect(harness.subjectsFor(FAY)).toEqual([REMINDER]);
    const afterCrash = await handoff.api<{ cases: DunningCaseView[] }>('/api/dunning');
    expect(afterCrash.body.cases[0]!.emails[0]).toMatchObject({ step: 'reminder-1', status: 'pending' });

    handoff.clock.advance(60_000);
    await handoff.runJobs();
    expect(harness.subjectsFor(FAY)).toEqual([REMINDER, REMINDER]);
    const recorded = await handoff.api<{ cases: DunningCaseView[] }>('/api/dunning');
    expect(recorded.body.cases[0]!.emails[0]).toMatchObject({ step: 'reminder-1', status: 'sent', attempts: 2 });

    await harness.passDays(2);
    expect(harness.subjectsFor(FAY)).toEqual([REMINDER, REMINDER]);
    await harness.passDays(1);
    expect(harness.subjectsFor(FAY)).toEqual([REMINDER, REMINDER, REMINDER]);
  });

  it('by a worker that claimed the reminder and died: sent once when its lease expires', async () => {
    const { handoff } = harness;
    await sendMembership(handoff, 'failed', FAY, '7501');
    // A second Handoff process claims the job and then hangs forever (killed mid-job).
    const doomed = new JobWorker(
      handoff.runtime.ctx.pool,
      handoff.clock,
      { [DUNNING_EMAIL_JOB]: () => new Promise(() => undefined) },
      handoff.runtime.ctx.log,
    );
    void doomed.runDue();
    await waitUntil(
      async () =>
        (
          await handoff.runtime.ctx.pool.query(`select 1 from jobs where kind = $1 and state = 'running'`, [
            DUNNING_EMAIL_JOB,
          ])
        ).rowCount === 1,
    );

    await handoff.runJobs();
    expect(harness.subjectsFor(FAY)).toEqual([]);
    handoff.clock.advance(5 * 60_000);
    await handoff.runJobs();
    expect(harness.subjectsFor(FAY)).toEqual([REMINDER]);
    await harness.passDays(1);
    expect(harness.subjectsFor(FAY)).toEqual([REMINDER]);
  });
});

async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached within 5 s');
    await new Promise((wake) => setTimeout(wake, 10));
  }
}
