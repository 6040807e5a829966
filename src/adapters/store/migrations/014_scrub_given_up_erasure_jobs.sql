-- A CRM erasure job (crm.erase:<name>) carries the erased person's e-mail until it completes,
-- because a connector may delete by e-mail. Once the worker gives up on it (state 'dead'), it
-- must not keep that e-mail for ever: the moment it turns dead, the e-mail leaves its payload and
-- its last error (a CRM may echo the address back). The job stays listed in the problems, with
-- the CRM's own contact id, so it can still be retried. A trigger, so every way a job dies
-- (attempts spent, a permanent error, a future code path) is covered.
create function scrub_given_up_erasure_job() returns trigger language plpgsql as $$
declare
  address text := new.payload->>'email';
begin
  if new.state = 'dead' and new.kind like 'crm.erase:%' and address is not null then
    new.payload := new.payload - 'email';
    if new.last_error is not null and address <> '' then
      new.last_error := regexp_replace(new.last_error, regexp_replace(address, '([^[:alnum:]])', '\\\1', 'g'), '[erased e-mail]', 'gi');
    end if;
  end if;
  return new;
end $$;

create trigger scrub_given_up_erasure_job before insert or update on jobs
  for each row execute function scrub_given_up_erasure_job();
