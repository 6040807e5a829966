-- The Problems page read every applied purchase and every contact's ledger on each view (676 ms
-- at 100,000 contacts). The fold now marks the few ledgers that matter (core/ledger/fold.ts:
-- `unmappedItems`, `nextPaymentExpectedAt`), and these partial indexes hold only those contacts,
-- so the page reads a few indexed rows and a write that marks nothing pays for neither index.
create index contacts_with_unmapped_items on contacts (id) where ledger ? 'unmappedItems';
create index contacts_by_next_payment_expected on contacts (((ledger ->> 'nextPaymentExpectedAt')::float8))
  where ledger ? 'nextPaymentExpectedAt';

-- Ledgers folded before this migration carry neither mark until their next fold (a delivery, a
-- timer, `handoff replay`). The payment date is computed here as the fold computes it. Which items
-- are unmapped depends on the configuration, which SQL does not know: a ledger with two or more
-- different items is marked with all of them (the page keeps only those the configuration lacks),
-- one with a single item cannot have bought it outside (a purchase applies only when it carries
-- a configured item).
update contacts c
   set ledger = c.ledger
     || coalesce((select jsonb_build_object('nextPaymentExpectedAt', min((s.value ->> 'nextPaymentAt')::float8))
                    from jsonb_each(c.ledger -> 'state' -> 'subscriptions') s
                   where s.value ->> 'status' = 'active' and jsonb_typeof(s.value -> 'failingSince') = 'null'
                     and jsonb_typeof(s.value -> 'nextPaymentAt') = 'number'
                  having count(*) > 0), '{}'::jsonb)
     || coalesce((select jsonb_build_object('unmappedItems', jsonb_agg(distinct l.value -> 'item'))
                    from jsonb_each(c.ledger -> 'state' -> 'lines') l
                  having count(distinct l.value -> 'item') > 1), '{}'::jsonb)
 where jsonb_typeof(c.ledger -> 'state') = 'object';
