-- Calls to the ThriveCart webhook URL that were refused (401: the secret word or the account did
-- not match, or was missing), counted per day and reason so the console and `handoff doctor` can
-- say "ThriveCart is calling, but with the wrong account" long after the process that saw them
-- restarted. Never the body, never the secret: only the account name the call claimed (not a
-- secret; it is what the creator has to compare with the configuration). One row per day and
-- reason, so a flood of refused calls cannot grow the table.
create table refused_deliveries (
  day date not null,
  reason text not null check (reason in ('secret-mismatch', 'account-mismatch', 'missing-secret', 'missing-account', 'not-configured')),
  count integer not null,
  first_at timestamptz not null,
  last_at timestamptz not null,
  last_claimed_account text,
  primary key (day, reason)
);
