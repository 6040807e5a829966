-- Due jobs indexed by kind first. The claim takes the next due jobs of each kind that is not
-- held (migration 009); with the old index on run_at alone, a held launch backlog (say 100,000
-- CRM syncs waiting for the CRM's rate budget) sat at the front of the index and every claim read
-- past all of it to reach the other kinds' jobs: about 20 ms per claim, on every poll of every
-- worker, for as long as the backlog lasted.
drop index jobs_due;
create index jobs_due on jobs (kind, run_at, id) where state = 'pending';
