-- Every ThriveCart delivery ever accepted (the inbox). The dedup key is permanent: a re-sent
-- delivery is answered from here and never applied twice. `body` has the secret word removed.
create table deliveries (
  id bigserial primary key,
  source text not null,
  dedup_key text not null unique,
  received_at timestamptz not null,
  event_name text not null,
  occurred_at timestamptz,
  live boolean not null,
  body jsonb not null,
  event jsonb,
  status text not null check (status in ('applied', 'ignored', 'failed', 'rejected')),
  reason text,
  contact_id bigint
);
create index deliveries_by_contact on deliveries (contact_id, occurred_at, id) where contact_id is not null;
create index deliveries_by_received on deliveries (received_at desc, id desc);
create index deliveries_needing_attention on deliveries (status, received_at desc) where status <> 'applied';

-- One row per person. `ledger` is the projection folded from the contact's applied deliveries:
-- orders, subscriptions, tags with provenance and access per offering (see src/core/ledger).
create table contacts (
  id bigserial primary key,
  email text not null unique,
  thrivecart_customer_id text unique,
  first_name text,
  last_name text,
  details_as_of timestamptz,
  ledger jsonb not null default '{}'::jsonb,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index contacts_by_name on contacts (lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '')));

-- Durable jobs and timers. At most one pending job per (kind, key): a burst of changes to one
-- contact coalesces into one run that re-reads the current state.
create table jobs (
  id bigserial primary key,
  kind text not null,
  key text not null,
  payload jsonb not null default '{}'::jsonb,
  run_at timestamptz not null,
  state text not null default 'pending' check (state in ('pending', 'running', 'done', 'dead')),
  attempts integer not null default 0,
  locked_until timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index jobs_one_pending_per_key on jobs (kind, key) where state = 'pending';
create index jobs_due on jobs (run_at) where state = 'pending';
create index jobs_running on jobs (locked_until) where state = 'running';
create index jobs_dead on jobs (updated_at desc) where state = 'dead';
