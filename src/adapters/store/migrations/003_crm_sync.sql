-- CRM sync (src/app/crm). `connector` is the name of a `crm:` config entry (default: its provider).

-- What Handoff last knew each CRM to hold for a contact. `known_tags` only ever holds managed
-- tags (access, revoke, item, failed and paid-in-full tags): the next sync pushes the difference
-- between the ledger's tags and these, so tags added by hand in the CRM are never touched.
create table crm_contacts (
  connector text not null,
  contact_id bigint not null,
  remote_id text,
  known_tags text[] not null default '{}',
  pushed_email text,
  pushed_first_name text,
  pushed_last_name text,
  synced_at timestamptz,
  last_error text,
  updated_at timestamptz not null,
  primary key (connector, contact_id)
);

-- One row per configured connector. A connector whose credentials were refused is paused: its
-- jobs wait (spending no attempts) until a periodic check passes or the credentials change
-- (`credentials_fingerprint` is a hash of the config entry, never the key itself).
create table crm_connectors (
  connector text primary key,
  status text not null check (status in ('active', 'paused')),
  paused_reason text,
  paused_since timestamptz,
  last_check_at timestamptz,
  credentials_fingerprint text not null,
  updated_at timestamptz not null
);

-- One row per rate-limited credential (a connector's budget key), shared by every Handoff process
-- on this database. `grants` is the sliding-window log of calls granted within the budget window
-- (epoch ms); `blocked_until` holds back every call after the provider answered 429.
create table crm_rate_budgets (
  budget_key text primary key,
  grants bigint[] not null default '{}',
  blocked_until timestamptz,
  throttles_in_a_row integer not null default 0,
  -- Whose turn it is to use the credential, until when: one job at a time per credential, because
  -- a connector operation takes several requests (read the contact's tags, then apply one), and
  -- jobs sharing a small budget one request each would each start operations none can finish.
  turn_holder text,
  turn_until timestamptz
);
