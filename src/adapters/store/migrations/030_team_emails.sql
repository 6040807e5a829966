-- The team e-mails' effect ledger (docs/teams.md, "The e-mails"): one row per send, keyed by the
-- job that sends it, claimed ('sending') and committed before the SMTP conversation and finished
-- after it. A run that finds its own claim still 'sending' knows an earlier run died while the
-- mail server may have taken the message: it records 'interrupted' and sends nothing, so a team
-- e-mail goes out at most once (the admin sends the leader's link again from the console).
-- People are referred to by contact id only; an erased contact's rows go with them.
create table team_emails (
  job_id bigint primary key,
  pool_id bigint not null references team_pools (id) on delete cascade,
  contact_id bigint not null references contacts (id) on delete cascade,
  template text not null,
  state text not null check (state in ('sending', 'retrying', 'sent', 'logged', 'undeliverable', 'interrupted')),
  attempts integer not null default 1,
  last_error text,
  message_id text,
  claimed_at timestamptz not null,
  finished_at timestamptz
);
create index team_emails_by_pool on team_emails (pool_id);
create index team_emails_by_contact on team_emails (contact_id);
