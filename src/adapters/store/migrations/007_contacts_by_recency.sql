-- The console lists contacts most recently changed first; without this index every page of the
-- list sorts the whole table.
create index contacts_by_recency on contacts (updated_at desc, id desc);
