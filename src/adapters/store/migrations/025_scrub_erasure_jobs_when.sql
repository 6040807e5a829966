-- The trigger of migration 014 ran its PL/pgSQL function for every insert and update of every
-- job (each purchase enqueues one, the worker updates each as it runs): a function call and a
-- JSON lookup per row, for a case only CRM erasure jobs turning dead can meet. The same condition
-- as a WHEN clause is checked by PostgreSQL itself, and the function runs only for those rows.
-- What the function does is unchanged.
drop trigger scrub_given_up_erasure_job on jobs;
create trigger scrub_given_up_erasure_job before insert or update on jobs
  for each row when (new.state = 'dead' and new.kind like 'crm.erase:%')
  execute function scrub_given_up_erasure_job();
