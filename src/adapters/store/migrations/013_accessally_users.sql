-- Whether AccessAlly holds a WordPress user for a contact, as far as Handoff knows, so its
-- "create user" webhook (aal_genpass) is sent once per person and never to someone who already has
-- a user (docs/accessally.md):
--   existing   a user exists that Handoff did not create (a member from before Handoff);
--   to_create  first access, no sign of an earlier user: the create call is due;
--   creating   the create call was sent and its answer not yet recorded (a crash in between
--              leaves it here, and Handoff never sends it twice: it reports it instead);
--   created    AccessAlly answered the create call with 2xx.
create table accessally_users (
  contact_id bigint primary key references contacts (id) on delete cascade,
  state text not null check (state in ('existing', 'to_create', 'creating', 'created')),
  updated_at timestamptz not null
);

-- Contacts Handoff served before this table existed were given AccessAlly's update call only; those
-- who ever had access have a user by now, or get one from the CRM automation that served them.
insert into accessally_users (contact_id, state, updated_at)
select id, 'existing', now() from contacts where jsonb_array_length(coalesce(ledger -> 'access', '[]'::jsonb)) > 0;
