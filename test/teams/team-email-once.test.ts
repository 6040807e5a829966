/**
 * A team e-mail goes out at most once: a crash after the mail server took it (before the job was
 * finished, or before the send was even recorded) never sends it a second time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { retryProblemJobs } from '../../src/app/crm/problems.ts';
import { emailLeaderLink } from '../../src/app/teams/leader-link.ts';
import { TEAM_LEADER_EMAIL_JOB } from '../../src/app/teams/send-team-email.ts';
import { listTeams } from '../../src/app/teams/team-views.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../dunning/smtp-receiver.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { buyTeamPlanAsAda, teamConfig } from './teams-harness.ts';

const ADA = 'ada@example.com';

describe('team e-mails at most once', () => {
  let handoff: TestHandoff;
  let smtp: SmtpReceiver;
  beforeEach(async () => {
    smtp = await startSmtpReceiver();
    handoff = await startTestHandoff({
      config: teamConfig(`mail:\n  smtp: ${smtp.url}\n  from: "Focus School <hello@focusschool.test>"`),
    });
  });
  afterEach(async () => {
    await handoff.close();
    await smtp.close();
  });

  const sentToAda = (): number => smtp.received.filter((email) => email.to.includes(ADA)).length;

  /** The database refuses `statement`'s first run, the way a process dying at that instant would leave it. */
  async function crashOnce(table: string, timing: string, condition: string): Promise<void> {
    await handoff.runtime.ctx.pool.query(`
      create sequence crash_once; -- sequences ignore rollbacks: the crash happens exactly once
      create function crash_once() returns trigger language plpgsql as $$
      begin
        if ${condition} and nextval('crash_once') = 1 then raise exception 'simulated crash'; end if;
        return case when tg_op = 'DELETE' then old else new end;
      end $$;
      create trigger crash_once ${timing} on ${table} for each row execute function crash_once();`);
  }

  async function purchase(): Promise<void> {
    await buyTeamPlanAsAda(handoff);
  }

  it('after the mail server took it, a crash before the job finished does not send it again', async () => {
    await crashOnce('jobs', 'before delete', `old.kind = '${TEAM_LEADER_EMAIL_JOB}'`);
    await purchase();
    await handoff.runJobs();
    expect(sentToAda()).toBe(1);
    const left = await handoff.runtime.ctx.pool.query(`select state from jobs where kind = $1`, [
      TEAM_LEADER_EMAIL_JOB,
    ]);
    expect(left.rows).toEqual([{ state: 'pending' }]);

    handoff.clock.advance(3_600_000);
    await handoff.runJobs();
    expect(sentToAda()).toBe(1);
    const jobs = await handoff.runtime.ctx.pool.query(`select 1 from jobs where kind = $1`, [TEAM_LEADER_EMAIL_JOB]);
    expect(jobs.rowCount).toBe(0);
  });

  it('a crash before the send was recorded: not sent again, the job says why, and the admin can send it again', async () => {
    await crashOnce('team_emails', 'before update', `new.state = 'sent'`);
    await purchase();
    await handoff.runJobs();
    expect(sentToAda()).toBe(1);

    handoff.clock.advance(3_600_000);
    await handoff.runJobs();
    expect(sentToAda()).toBe(1);
    const dead = await handoff.runtime.ctx.pool.query<{ state: string; last_error: string }>(
      `select state, last_error from jobs where kind = $1`,
      [TEAM_LEADER_EMAIL_JOB],
    );
    expect(dead.rows).toEqual([
      { state: 'dead', last_error: expect.stringMatching(/team-leader-link e-mail .* interrupted .* not sent again/) },
    ]);
    const records = await handoff.runtime.ctx.pool.query(`select state from team_emails`);
    expect(records.rows).toEqual([{ state: 'interrupted' }]);

    // Ada says it never came: the admin puts the dead job back (`handoff retry`), which sends it.
    await retryProblemJobs(handoff.runtime.ctx, 'all');
    await handoff.runJobs();
    expect(sentToAda()).toBe(2);
    expect((await handoff.runtime.ctx.pool.query(`select state from team_emails`)).rows).toEqual([{ state: 'sent' }]);

    const [team] = await listTeams(handoff.runtime.ctx, { leaderEmail: ADA });
    await emailLeaderLink(handoff.runtime.ctx, team!.id);
    await handoff.runJobs();
    expect(sentToAda()).toBe(3);
  });
});
