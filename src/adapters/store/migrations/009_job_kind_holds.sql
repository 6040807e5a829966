-- A wait that belongs to every job of a kind rather than to one job (a CRM's spent rate budget, a
-- 429, paused credentials): until `until`, no worker in any process claims jobs of that kind.
-- Without it a backlog behind a slow CRM would be claimed and put back over and over.
create table job_kind_holds (
  kind text primary key,
  until timestamptz not null
);
