-- Due jobs indexed by kind first. The claim takes the next due jobs of each kind that is not
-- held (migration 009); with the old index on run_at alone, a held launch backlog (say 100,000
-- CRM syncs waiting for the CRM's rate budget) sat at the front of the index and every claim read
-- past all of it to reach the other kinds' jobs: about 20 ms per claim, on every poll of every
-- worker, for as long as the backlog lasted.
--
-- `run_at is not null` (always true: the column is not null) keeps the lookups of one pending job
-- by (kind, key) on jobs_one_pending_per_key. Without it, while the planner has no statistics for
-- jobs (a fresh install during its first launch), it can take this index for them and read every
-- pending job of the kind; a claim names run_at and still matches.
drop index jobs_due;
create index jobs_due on jobs (kind, run_at, id) where state = 'pending' and run_at is not null;
