-- The last call AccessAlly answered for each contact ("create user" or "update user"), and when, so
-- the contact page can say whether AccessAlly has heard of the latest tags. Finished jobs are
-- deleted, so nothing else keeps this.
create table accessally_calls (
  contact_id bigint primary key references contacts (id) on delete cascade,
  call text not null check (call in ('create', 'update')),
  called_at timestamptz not null
);
