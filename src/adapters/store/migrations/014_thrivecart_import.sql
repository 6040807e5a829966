-- Imports of ThriveCart history (docs/thrivecart-api.md). An import stays open until it is
-- applied: what it fetched is kept row by row, so an interrupted run resumes at the next page
-- or buyer instead of asking the rate-limited API again.
create table thrivecart_imports (
  id bigserial primary key,
  source text not null check (source in ('api', 'csv')),
  started_at timestamptz not null,
  updated_at timestamptz not null,
  pages_fetched integer not null default 0,
  transactions_complete boolean not null default false,
  applied_at timestamptz,
  -- The last plan (or, once applied, what was done), for the console's Import page.
  plan jsonb
);
create unique index thrivecart_imports_one_open on thrivecart_imports (source) where applied_at is null;

create table thrivecart_import_rows (
  import_id bigint not null references thrivecart_imports (id) on delete cascade,
  kind text not null check (kind in ('transaction', 'customer')),
  key text not null,
  data jsonb,
  primary key (import_id, kind, key)
);
