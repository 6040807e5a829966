-- The CRM records a person was pushed to before a change of e-mail made their push reach another
-- one (the CRM matches by e-mail): stripped of their tags, but still holding the old address and
-- name, which an erasure must delete too (app/crm/erase-from-crm.ts). Ids only.
alter table crm_contacts add column former_remote_ids text[] not null default '{}';
