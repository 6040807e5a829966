-- A CSV import keeps its file until it is applied: the console plans it on upload and applies it
-- later (a job), so what is applied is the file whose plan the creator read; the CLI's `--csv`
-- takes the same path. An open CSV import of another file is dropped, as one of other dates is.
-- And how far an apply got (people applied of all), for the Import page while it runs.
alter table thrivecart_imports
  add column csv text,
  add column apply_done integer not null default 0,
  add column apply_total integer;
