-- Console (web UI) sessions. Only a hash of the session id is stored, so a database dump cannot
-- be used to log in.
create table console_sessions (
  id_hash text primary key,
  csrf_token text not null,
  actor text not null,
  created_at timestamptz not null,
  last_seen_at timestamptz not null
);
create index console_sessions_by_age on console_sessions (created_at);

-- Contact search by any part of the email or name stays an index scan at 100,000 contacts.
-- pg_trgm ships with PostgreSQL; where a managed server refuses it, search falls back to a scan.
do $$
begin
  create extension if not exists pg_trgm;
exception when others then
  raise notice 'pg_trgm unavailable (%); contact search will scan', sqlerrm;
end $$;
do $$
begin
  if exists (select 1 from pg_extension where extname = 'pg_trgm') then
    create index contacts_email_trgm on contacts using gin (email gin_trgm_ops);
    create index contacts_name_trgm on contacts using gin ((lower(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))) gin_trgm_ops);
  end if;
end $$;

-- The overview's activity chart reads applied events by event time.
create index deliveries_applied_by_time on deliveries (occurred_at) where status = 'applied';
