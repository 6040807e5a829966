-- Team seats (docs/teams.md). A pool belongs to one purchased line (order + item) of a team item;
-- its seats come from the payer's ledger (purchased_seats, written whenever the payer is folded)
-- plus what an admin added or took away by hand (seats_adjustment). The payer and the leader are
-- contacts; an erased one leaves the column empty, the pool and its history stay.
create table team_pools (
  id bigserial primary key,
  order_id text not null,
  item text not null,
  payer_contact_id bigint references contacts (id) on delete set null,
  leader_contact_id bigint references contacts (id) on delete set null,
  purchased_seats integer not null check (purchased_seats >= 0),
  seats_adjustment integer not null default 0,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (order_id, item)
);
create index team_pools_by_payer on team_pools (payer_contact_id);
create index team_pools_by_leader on team_pools (leader_contact_id);

-- Who holds a seat, and who held one: a member who leaves keeps the row with left_at, so their
-- timeline still explains the access they had. Added by hand (leader, admin): these rows are the
-- record, never rebuilt by a replay. An erased member's rows go with them, freeing the seat.
create table team_members (
  id bigserial primary key,
  pool_id bigint not null references team_pools (id) on delete cascade,
  contact_id bigint not null references contacts (id) on delete cascade,
  joined_at timestamptz not null,
  left_at timestamptz,
  check (left_at is null or left_at >= joined_at)
);
create unique index team_members_one_seat on team_members (pool_id, contact_id) where left_at is null;
create index team_members_by_contact on team_members (contact_id);

-- The audit trail of every change to a pool: who did what, when. People are referred to by
-- contact id only (never an e-mail), so an erasure leaves nothing readable here.
create table team_events (
  id bigserial primary key,
  pool_id bigint not null references team_pools (id) on delete cascade,
  at timestamptz not null,
  action text not null check (action in ('opened', 'member_added', 'member_removed', 'member_left', 'resized', 'leader_moved')),
  actor_kind text not null check (actor_kind in ('purchase', 'admin', 'leader', 'member', 'erasure')),
  actor_name text,
  member_contact_id bigint references contacts (id) on delete set null,
  detail jsonb not null default '{}'
);
create index team_events_by_pool on team_events (pool_id, at);
