-- Signed webhooks out (Standard Webhooks) to membership sites that are not AccessAlly.

-- Where messages go. Endpoints from the configuration file are mirrored here at start-up
-- (source 'config'; their secret stays in the file) so deliveries can refer to them and a 410 can
-- disable them; endpoints added in the console or API (source 'console') carry a generated secret.
create table webhook_endpoints (
  id bigserial primary key,
  source text not null check (source in ('config', 'console')),
  name text not null,
  url text not null,
  secret text check ((source = 'console') = (secret is not null)),
  -- null: every event type.
  events text[],
  enabled boolean not null default true,
  disabled_reason text,
  created_at timestamptz not null,
  unique (source, name)
);

-- The outbox: one row per event, written in the transaction that made the change. `id` is the
-- `webhook-id` (stable across retries); `body` is the exact JSON signed and sent on every attempt.
-- `contact_id` lets GDPR erasure delete a person's messages (they hold the email and name).
create table webhook_messages (
  id text primary key,
  contact_id bigint,
  type text not null,
  body text not null,
  created_at timestamptz not null
);
create index webhook_messages_by_contact on webhook_messages (contact_id);

-- One message to one endpoint; its `webhook.deliver` job is keyed by this id.
create table webhook_deliveries (
  id bigserial primary key,
  endpoint_id bigint not null references webhook_endpoints (id) on delete cascade,
  message_id text not null references webhook_messages (id) on delete cascade,
  state text not null default 'pending' check (state in ('pending', 'delivered', 'dead', 'cancelled')),
  attempts integer not null default 0,
  last_error text,
  created_at timestamptz not null,
  finished_at timestamptz,
  unique (endpoint_id, message_id)
);
create index webhook_deliveries_recent on webhook_deliveries (id desc);

-- Every HTTP attempt, for the console: status code or error, when, how long.
create table webhook_attempts (
  id bigserial primary key,
  delivery_id bigint not null references webhook_deliveries (id) on delete cascade,
  at timestamptz not null,
  status_code integer,
  error text,
  duration_ms integer not null
);
create index webhook_attempts_by_delivery on webhook_attempts (delivery_id, id);

-- The email and name last seen for a contact, so a change can be announced as contact.updated
-- (the contacts row itself is already updated when the contact is re-folded).
create table webhook_contact_details (
  contact_id bigint primary key references contacts (id) on delete cascade,
  email text not null,
  first_name text,
  last_name text
);
