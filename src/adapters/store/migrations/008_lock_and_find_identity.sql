-- The intake's identity step in one round trip: take the advisory locks on a person's identities
-- (sorted, so two deliveries can never deadlock), then look the person up by customer id and by
-- email and check the erasure tombstones.
--
-- It has to be a PL/pgSQL function: under READ COMMITTED each statement inside it reads with a
-- fresh snapshot, so the lookup, taken after the locks, sees a contact the previous lock holder
-- has just committed. The same lookup written as one plain SQL statement would read with the
-- snapshot taken before it waited for the lock, and create the person twice.
--
-- Returns the matching contact rows (zero to two), or one null row when there is none; every row
-- carries the erasure verdict. Callers shape the rows as they read any contact (adapters/store).
create function lock_and_find_identity(identity_keys text[], wanted_customer_id text, wanted_email text)
returns table (contact contacts, erased boolean)
language plpgsql volatile
as $$
#variable_conflict use_column
begin
  perform pg_advisory_xact_lock(hashtextextended(sorted.key, 0))
     from (select key from unnest(identity_keys) as key group by key order by key offset 0) as sorted;
  return query
    with tombstone as (
      select exists (
        select 1 from erased_identities tombstone, installation_settings salt, unnest(identity_keys) as identity
         where salt.key = 'erasure_salt'
           and tombstone.identity_hash = encode(sha256(convert_to(salt.value || ':' || identity, 'UTF8')), 'hex')
      ) as erased),
    matches as (select person from contacts person where person.thrivecart_customer_id = wanted_customer_id or person.email = wanted_email)
    select matches.person, tombstone.erased from tombstone left join matches on true;
end;
$$;
