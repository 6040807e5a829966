-- A bulk import (ActiveCampaign's, app/crm/bulk-access-tags.ts) may create a person in the CRM
-- before their own push, and answers no id per person: the e-mail and tags it carried are the only
-- way to find that record again. Written before the import is sent, so that an erasure deletes the
-- record and an e-mail change strips its tags even when Handoff never learnt its id.
alter table crm_contacts add column imported_email text, add column imported_tags text[];

-- A CRM erasure job now also carries `importedEmail` (the address such an import used, when the
-- person had no CRM id yet): when the job is given up on, it leaves the payload with `email`.
create or replace function scrub_given_up_erasure_job() returns trigger language plpgsql as $$
declare
  address text;
begin
  if new.state = 'dead' and new.kind like 'crm.erase:%' then
    foreach address in array array[new.payload->>'email', new.payload->>'importedEmail'] loop
      if new.last_error is not null and address is not null and address <> '' then
        new.last_error := regexp_replace(new.last_error, regexp_replace(address, '([^[:alnum:]])', '\\\1', 'g'), '[erased e-mail]', 'gi');
      end if;
    end loop;
    new.payload := new.payload - 'email' - 'importedEmail';
  end if;
  return new;
end $$;
