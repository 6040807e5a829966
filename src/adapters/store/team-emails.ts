import type { Queryable } from './database.ts';

/**
 * Where one team e-mail stands (migration 030), like a dunning e-mail's step but never sent twice:
 * - sending: claimed and committed; the SMTP conversation is under way, or a crash interrupted it.
 * - retrying: the mail server refused or was unreachable: not sent, the job tries again later.
 * - sent / logged: the mail server took it / no SMTP configured, it went to the log.
 * - undeliverable: the mail server refused the recipient for good.
 * - interrupted: found still 'sending' by a later run; whether it arrived is unknown, it is not
 *   sent again unless a person retries the dead job.
 */
export type TeamEmailState = 'sending' | 'retrying' | 'sent' | 'logged' | 'undeliverable' | 'interrupted';

export interface TeamEmailSend {
  jobId: number;
  poolId: number;
  contactId: number;
  template: string;
}

/**
 * Claims the send, to be committed BEFORE the mail goes out. Returns the attempts so far when
 * this run may send: a new send, one the mail server did not take before ('retrying'), or an
 * interrupted one whose dead job a person put back (`handoff retry`): they chose to send again.
 * Otherwise returns the state found: finished, or 'sending' left by a run that died mid-send.
 */
export async function claimTeamEmail(
  db: Queryable,
  send: TeamEmailSend,
  now: number,
): Promise<{ claimed: true; attempts: number } | { claimed: false; state: TeamEmailState }> {
  const result = await db.query<{ attempts: number }>(
    `insert into team_emails (job_id, pool_id, contact_id, template, state, claimed_at)
     values ($1, $2, $3, $4, 'sending', to_timestamp($5 / 1000.0))
     on conflict (job_id) do update set state = 'sending', contact_id = excluded.contact_id, template = excluded.template,
       claimed_at = excluded.claimed_at, attempts = team_emails.attempts + 1
       where team_emails.state in ('retrying', 'interrupted')
     returning attempts`,
    [send.jobId, send.poolId, send.contactId, send.template, now],
  );
  if (result.rows[0]) return { claimed: true, attempts: result.rows[0].attempts };
  const found = await db.query<{ state: TeamEmailState }>('select state from team_emails where job_id = $1', [
    send.jobId,
  ]);
  return { claimed: false, state: found.rows[0]!.state };
}

/** Ends the send: taken, logged, refused for good, or interrupted (never sent again). */
export async function finishTeamEmail(
  db: Queryable,
  jobId: number,
  outcome: {
    state: 'sent' | 'logged' | 'undeliverable' | 'interrupted';
    messageId: string | null;
    error: string | null;
  },
  now: number,
): Promise<void> {
  await db.query(
    `update team_emails set state = $2, message_id = $3, last_error = $4, finished_at = to_timestamp($5 / 1000.0) where job_id = $1`,
    [jobId, outcome.state, outcome.messageId, outcome.error, now],
  );
}

/** The mail server did not take it (unreachable, 4xx): nothing went out, the next run sends. */
export async function markTeamEmailRetrying(db: Queryable, jobId: number, error: string): Promise<void> {
  await db.query(`update team_emails set state = 'retrying', last_error = $2 where job_id = $1`, [jobId, error]);
}
