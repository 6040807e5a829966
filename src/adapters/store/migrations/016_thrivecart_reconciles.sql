-- The dates an import looks at (`--since`/`--until`): an open import resumes only with the same ones.
alter table thrivecart_imports add column window_since timestamptz, add column window_until timestamptz;

-- Every reconcile with ThriveCart's API (the scheduled one, `handoff thrivecart reconcile`, the
-- console's Fix button) and what it found: the latest finished one is shown as a problem until a
-- run fixes it or finds nothing.
create table thrivecart_reconciles (
  id bigserial primary key,
  started_at timestamptz not null,
  finished_at timestamptz,
  window_since timestamptz,
  window_until timestamptz,
  fix boolean not null,
  findings jsonb,
  error text
);
create index thrivecart_reconciles_latest on thrivecart_reconciles (finished_at desc) where finished_at is not null;
