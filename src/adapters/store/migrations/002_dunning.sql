-- Dunning cases: one row per failure episode of a subscription or payment plan, derived from the
-- ledger (src/core/dunning) and upserted whenever the contact is re-folded. Identified by the
-- subscription and the episode number, not by the contact: a contact merge moves the case with
-- its deliveries instead of starting it over.
create table dunning_cases (
  id bigserial primary key,
  contact_id bigint not null,
  subscription_key text not null,
  episode integer not null,
  order_id text not null,
  item text not null,
  product_name text not null,
  state text not null check (state in ('open', 'recovered', 'lost', 'recovered-after-loss', 'cancelled')),
  opened_at timestamptz not null,
  grace_ends_at timestamptz not null,
  lost_at timestamptz,
  closed_at timestamptz,
  failures integer not null,
  amount_due_cents bigint,
  currency text not null,
  -- [{ "number": 1, "dueAt": <epoch ms> }, ...]
  reminders jsonb not null,
  updated_at timestamptz not null,
  unique (subscription_key, episode)
);
create index dunning_cases_open on dunning_cases (opened_at, id) where state = 'open';
create index dunning_cases_closed on dunning_cases (closed_at desc, id desc) where state <> 'open';
create index dunning_cases_by_contact on dunning_cases (contact_id);

-- The effect ledger: one row per e-mail a case caused, claimed ('sending') and committed before
-- the SMTP conversation and marked 'sent' after it. A row left in 'sending' by a crash is sent
-- again by the retry (at most one duplicate); a step never gets a second row.
create table dunning_emails (
  case_id bigint not null references dunning_cases (id) on delete cascade,
  step text not null,
  state text not null check (state in ('sending', 'retrying', 'sent', 'logged', 'undeliverable')),
  recipient text not null,
  attempts integer not null default 1,
  last_error text,
  message_id text,
  claimed_at timestamptz not null,
  finished_at timestamptz,
  primary key (case_id, step)
);
